package dev.comfychaos.relay;

import java.net.URI;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

/** The relay's one connection to ComfyUI's {@code /ws}, opened at start-up. */
@Component
public class ComfyUpstream {

    private final RelayProperties properties;
    private final ComfyEventHandler handler;
    private WebSocketSession session;

    public ComfyUpstream(RelayProperties properties, ComfyEventHandler handler) {
        this.properties = properties;
        this.handler = handler;
    }

    @PostConstruct
    public void connect() {
        URI uri = URI.create(properties.comfyUrl().replaceFirst("^http", "ws") + "/ws?clientId=" + properties.clientId());
        session = new StandardWebSocketClient().execute(handler, new WebSocketHttpHeaders(), uri).join();
    }

    @PreDestroy
    public void close() throws Exception {
        if (session != null && session.isOpen()) {
            session.close(CloseStatus.GOING_AWAY);
        }
    }
}
