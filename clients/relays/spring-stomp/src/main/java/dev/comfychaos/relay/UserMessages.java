package dev.comfychaos.relay;

import java.util.List;

/** What a browser receives on {@code /user/topic/messages}. */
public final class UserMessages {

    private UserMessages() {
    }

    public record Progress(String type, Number value, Number max) {
        public Progress(Number value, Number max) {
            this("progress", value, max);
        }
    }

    public record ImageResult(String type, List<String> urls) {
        public ImageResult(List<String> urls) {
            this("imageResult", urls);
        }
    }

    public record Error(String type, String message) {
        public Error(String message) {
            this("error", message);
        }
    }
}
