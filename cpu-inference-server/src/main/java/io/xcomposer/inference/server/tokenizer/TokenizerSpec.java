package io.xcomposer.inference.server.tokenizer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The JSON document {@code tokenizer.json} (type {@code xcomposer-tiny-bytes}), see docs/model-contract.md. */
record TokenizerSpec(
        String type,
        int version,
        List<String> pieces,
        List<String> special,
        String pad,
        String bos,
        String eos,
        @JsonProperty("image_token") String imageToken) {}
