package io.storecast.messaging;

import java.util.List;

/**
 * The outcome of a send: the stored message (the original one when the send was a retry), and the
 * words the content filter masked, if any.
 */
public record SendResult(Message message, boolean duplicate, List<String> maskedWords) {
}
