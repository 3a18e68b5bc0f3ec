package io.xcomposer.composition.support;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One shape of a tiny-model scene (model-repository/tiny/training/scenes.py), and the parser of scene captions
 * in both languages, to compare a slot's caption with a gallery image's truth.
 */
public record SceneObject(String size, String colour, String shape, int cell) {

    private static final List<String> EN_POSITIONS = List.of(
            "at the top left",
            "at the top",
            "at the top right",
            "on the left",
            "in the center",
            "on the right",
            "at the bottom left",
            "at the bottom",
            "at the bottom right");

    private static final List<String> ZH_POSITIONS = List.of("左上方", "上方", "右上方", "左侧", "中间", "右侧", "左下方", "下方", "右下方");

    private static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "purple", "orange");

    private static final List<String> ZH_COLOURS = List.of("红色", "绿色", "蓝色", "黄色", "紫色", "橙色");

    private static final List<String> SHAPES = List.of("circle", "square", "triangle", "star");

    private static final List<String> ZH_SHAPES = List.of("圆形", "正方形", "三角形", "星形");

    private static final Pattern EN = Pattern.compile("(?i)(small|large) (" + String.join("|", COLOURS) + ") ("
            + String.join("|", SHAPES) + ") (at the top left|at the top right|at the top|on the left|in the center"
            + "|on the right|at the bottom left|at the bottom right|at the bottom)");

    private static final Pattern ZH = Pattern.compile("(左上方|右上方|左下方|右下方|上方|左侧|中间|右侧|下方)有一个(小|大)的("
            + String.join("|", ZH_COLOURS) + ")(" + String.join("|", ZH_SHAPES) + ")");

    /** The objects a caption (English or Chinese) names, in order; empty when it names none. */
    public static List<SceneObject> parse(String caption) {
        List<SceneObject> objects = new ArrayList<>();
        Matcher en = EN.matcher(caption);
        while (en.find()) {
            objects.add(new SceneObject(
                    en.group(1).toLowerCase(),
                    en.group(2).toLowerCase(),
                    en.group(3).toLowerCase(),
                    EN_POSITIONS.indexOf(en.group(4).toLowerCase())));
        }
        Matcher zh = ZH.matcher(caption);
        while (zh.find()) {
            objects.add(new SceneObject(
                    "小".equals(zh.group(2)) ? "small" : "large",
                    COLOURS.get(ZH_COLOURS.indexOf(zh.group(3))),
                    SHAPES.get(ZH_SHAPES.indexOf(zh.group(4))),
                    ZH_POSITIONS.indexOf(zh.group(1))));
        }
        return objects;
    }
}
