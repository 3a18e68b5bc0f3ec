package io.xcomposer.comprehension.chat;

import io.xcomposer.comprehension.prompt.ImageAnchors;
import java.util.List;

/** @param anchored whether {@code text} marks where each image sits ({@link ImageAnchors}) */
record UserContent(String text, List<ChatCommand.ImagePart> images, boolean anchored) {

    /** The text with an anchor for each image, the images first where the message does not interleave them. */
    String anchoredText() {
        return this.anchored ? this.text : String.valueOf(ImageAnchors.ANCHOR).repeat(this.images.size()) + this.text;
    }
}
