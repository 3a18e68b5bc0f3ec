package io.xcomposer.inference.client.contract;

import static io.xcomposer.inference.client.contract.TensorSpec.required;
import static io.xcomposer.inference.client.tensor.TensorDatatype.FP32;

import java.util.List;

/** The {@code vision_encoder} model and the image preprocessing parameters it shares with {@code image_embedder}. */
public final class VisionContract {

    public static final String MODEL = "vision_encoder";

    public static final String PIXEL_VALUES = "pixel_values";
    public static final String IMAGE_EMBEDS = ImageEmbeds.NAME;

    public static final String IMAGE_SIZE = "image_size";
    public static final String RESIZE_MODE = "resize_mode";
    public static final String IMAGE_MEAN = "image_mean";
    public static final String IMAGE_STD = "image_std";
    public static final String IMAGE_TOKENS = ImageEmbeds.TOKENS_PARAMETER;
    public static final String HIDDEN_SIZE = ImageEmbeds.WIDTH_PARAMETER;

    public static final List<TensorSpec> INPUTS = List.of(required(PIXEL_VALUES, FP32, "3", IMAGE_SIZE, IMAGE_SIZE));

    public static final List<TensorSpec> OUTPUTS = List.of(required(IMAGE_EMBEDS, FP32, IMAGE_TOKENS, HIDDEN_SIZE));

    /** The image preprocessing keys ({@code image_embedder} has these too). */
    public static final List<String> PREPROCESSING_PARAMETERS = List.of(IMAGE_SIZE, RESIZE_MODE, IMAGE_MEAN, IMAGE_STD);

    public static final List<String> REQUIRED_PARAMETERS =
            List.of(IMAGE_SIZE, RESIZE_MODE, IMAGE_MEAN, IMAGE_STD, IMAGE_TOKENS, HIDDEN_SIZE);

    private VisionContract() {}
}
