package io.xcomposer.evaluation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the scene objects a caption states, in the generator's phrasing (training/scenes.py), in either language:
 * "A large red circle at the top left and a small blue star in the center." /
 * "左上方有一个大的红色圆形，中间有一个小的蓝色星形。". Article paragraphs ("In the first picture, a small blue square
 * is at the bottom right." / "第一幅图中，右下方有一个小的蓝色正方形。") use the same object phrases.
 */
public final class CaptionParser {

    static final List<String> POSITIONS =
            List.of("top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right");
    private static final List<String> EN_POSITION_PHRASES = List.of(
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
    private static final Map<String, String> ZH_COLOURS =
            orderedMap("红色", "red", "绿色", "green", "蓝色", "blue", "黄色", "yellow", "紫色", "purple", "橙色", "orange");
    private static final Map<String, String> ZH_SHAPES =
            orderedMap("圆形", "circle", "正方形", "square", "三角形", "triangle", "星形", "star");
    private static final Map<String, String> ZH_SIZES = orderedMap("小", "small", "大", "large");
    private static final String EN_COLOURS = "red|green|blue|yellow|purple|orange";
    private static final String EN_SHAPES = "circle|square|triangle|star";

    // Longer position phrases first: "at the top left" must not be read as "at the top".
    private static final String EN_OBJECT = "[Aa] (small|large) (" + EN_COLOURS + ") (" + EN_SHAPES + ") (?:is )?("
            + longestFirst(EN_POSITION_PHRASES) + ")";
    private static final String ZH_OBJECT = "(" + longestFirst(ZH_POSITIONS) + ")有一个(" + join(ZH_SIZES) + ")的("
            + join(ZH_COLOURS) + ")(" + join(ZH_SHAPES) + ")";
    private static final Pattern EN_OBJECT_PATTERN = Pattern.compile(EN_OBJECT);
    private static final Pattern ZH_OBJECT_PATTERN = Pattern.compile(ZH_OBJECT);
    private static final Pattern EN_LIST = Pattern.compile(listOf(EN_OBJECT, ", ", " and ") + "\\.");
    private static final Pattern ZH_LIST = Pattern.compile(listOf(ZH_OBJECT, "，", "，") + "。");

    private CaptionParser() {}

    /** Every object phrase found anywhere in the text, in order; text around them is ignored. */
    public static List<SceneObject> objects(String text, String lang) {
        boolean zh = "zh".equals(lang);
        Matcher matcher = (zh ? ZH_OBJECT_PATTERN : EN_OBJECT_PATTERN).matcher(text);
        List<SceneObject> objects = new ArrayList<>();
        while (matcher.find()) {
            objects.add(zh ? zhObject(matcher) : enObject(matcher));
        }
        return objects;
    }

    /**
     * The objects of a text that is exactly an object list in the generator's grammar ("X, Y and Z." /
     * "X，Y，Z。"), each in its own cell; empty when the text is anything else.
     */
    public static Optional<List<SceneObject>> strictObjectList(String text, String lang) {
        if (!("zh".equals(lang) ? ZH_LIST : EN_LIST).matcher(text).matches()) {
            return Optional.empty();
        }
        List<SceneObject> objects = objects(text, lang);
        Set<String> cells = new HashSet<>();
        boolean distinctCells = objects.stream().allMatch(o -> cells.add(o.position()));
        return distinctCells ? Optional.of(objects) : Optional.empty();
    }

    private static SceneObject enObject(Matcher m) {
        return new SceneObject(
                m.group(3), m.group(2), m.group(1), POSITIONS.get(EN_POSITION_PHRASES.indexOf(m.group(4))));
    }

    private static SceneObject zhObject(Matcher m) {
        return new SceneObject(
                ZH_SHAPES.get(m.group(4)),
                ZH_COLOURS.get(m.group(3)),
                ZH_SIZES.get(m.group(2)),
                POSITIONS.get(ZH_POSITIONS.indexOf(m.group(1))));
    }

    private static String listOf(String item, String separator, String lastSeparator) {
        String bare = item.replaceAll("\\((?!\\?)", "(?:");
        return bare + "(?:" + Pattern.quote(separator) + bare + ")*(?:" + Pattern.quote(lastSeparator) + bare + ")?";
    }

    private static String longestFirst(List<String> alternatives) {
        return String.join(
                "|",
                alternatives.stream().sorted((a, b) -> b.length() - a.length()).toList());
    }

    private static String join(Map<String, String> words) {
        return longestFirst(List.copyOf(words.keySet()));
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
