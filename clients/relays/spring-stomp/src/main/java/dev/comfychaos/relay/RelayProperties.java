package dev.comfychaos.relay;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Settings read from the environment (see application.properties). */
@Component
public class RelayProperties {

    private final String comfyUrl;
    private final String refundUrl;
    private final String clientId;

    public RelayProperties(@Value("${relay.comfy-url}") String comfyUrl,
                           @Value("${relay.refund-url:}") String refundUrl,
                           @Value("${relay.client-id}") String clientId) {
        this.comfyUrl = comfyUrl.endsWith("/") ? comfyUrl.substring(0, comfyUrl.length() - 1) : comfyUrl;
        this.refundUrl = refundUrl;
        this.clientId = clientId;
    }

    /** ComfyUI base URL without a trailing slash, e.g. {@code http://127.0.0.1:8188}. */
    public String comfyUrl() {
        return comfyUrl;
    }

    /** Where refunds are POSTed; empty when refunds are not reported. */
    public String refundUrl() {
        return refundUrl;
    }

    /** The one clientId this relay uses towards ComfyUI, for the socket and every prompt. */
    public String clientId() {
        return clientId;
    }
}
