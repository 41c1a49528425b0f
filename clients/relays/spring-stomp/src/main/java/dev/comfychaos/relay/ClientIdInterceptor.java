package dev.comfychaos.relay;

import java.security.Principal;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageHeaderAccessor;

/** Names the STOMP session after the {@code clientId} header of the browser's CONNECT frame. */
public class ClientIdInterceptor implements ChannelInterceptor {

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
        if (accessor != null && StompCommand.CONNECT.equals(accessor.getCommand())) {
            String clientId = accessor.getFirstNativeHeader("clientId");
            if (clientId != null && !clientId.isBlank()) {
                accessor.setUser(new ClientPrincipal(clientId));
            }
        }
        return message;
    }

    /** A browser, known by the clientId it chose. */
    record ClientPrincipal(String clientId) implements Principal {
        @Override
        public String getName() {
            return clientId;
        }
    }
}
