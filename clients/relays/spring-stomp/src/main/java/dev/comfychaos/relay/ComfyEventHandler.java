package dev.comfychaos.relay;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Turns ComfyUI's events into messages for the browser that owns each prompt. */
@Component
public class ComfyEventHandler extends AbstractWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(ComfyEventHandler.class);
    private static final String USER_DESTINATION = "/topic/messages";

    private final ObjectMapper mapper;
    private final SimpMessagingTemplate messaging;
    private final JobService jobs;
    private final CreditLedger credits;
    private final RelayProperties properties;

    public ComfyEventHandler(ObjectMapper mapper, SimpMessagingTemplate messaging, JobService jobs,
                             CreditLedger credits, RelayProperties properties) {
        this.mapper = mapper;
        this.messaging = messaging;
        this.jobs = jobs;
        this.credits = credits;
        this.properties = properties;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        log.info("Connected to ComfyUI at {} as client {}", properties.comfyUrl(), properties.clientId());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        log.warn("ComfyUI connection closed: {}", status);
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.warn("ComfyUI connection error: {}", exception.getMessage());
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        JsonNode event;
        try {
            event = mapper.readTree(message.getPayload());
        } catch (JacksonException e) {
            log.warn("Ignoring a frame that is not JSON: {}", e.getOriginalMessage());
            return;
        }
        JsonNode data = event.path("data");
        switch (event.path("type").asString("")) {
            case "status" -> onStatus(data);
            case "progress" -> onProgress(data);
            case "executed" -> onExecuted(data);
            case "execution_error" -> onExecutionError(data);
            default -> log.debug("Ignoring {} event", event.path("type").asString(""));
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        log.debug("Ignoring a binary frame of {} bytes", message.getPayloadLength());
    }

    private void onStatus(JsonNode data) {
        if (data.path("status").path("exec_info").path("queue_remaining").asInt(-1) == 0) {
            jobs.queueDrained();
        }
    }

    private void onProgress(JsonNode data) {
        JobOwner owner = ownerOf(data);
        if (owner == null) {
            return;
        }
        send(owner, new UserMessages.Progress(data.path("value").numberValue(), data.path("max").numberValue()));
    }

    private void onExecuted(JsonNode data) {
        JobOwner owner = ownerOf(data);
        if (owner == null) {
            return;
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode image : data.path("output").path("images")) {
            urls.add(viewUrl(image));
        }
        String promptId = data.path("prompt_id").asString();
        jobs.saveResult(promptId, urls);
        log.info("Prompt {} produced {} image(s) for user {}", promptId, urls.size(), owner.userId());
        send(owner, new UserMessages.ImageResult(urls));
    }

    private void onExecutionError(JsonNode data) {
        JobOwner owner = ownerOf(data);
        if (owner == null) {
            return;
        }
        String promptId = data.path("prompt_id").asString();
        log.info("Prompt {} failed for user {}", promptId, owner.userId());
        credits.refund(owner.userId(), promptId);
        send(owner, new UserMessages.Error(data.path("exception_message").asString("")));
    }

    private JobOwner ownerOf(JsonNode data) {
        String promptId = data.path("prompt_id").asString("");
        JobOwner owner = jobs.ownerOf(promptId);
        if (owner == null) {
            log.debug("No owner for prompt {}", promptId);
        }
        return owner;
    }

    private String viewUrl(JsonNode image) {
        return properties.comfyUrl() + "/view?filename=" + encode(image.path("filename").asString(""))
                + "&subfolder=" + encode(image.path("subfolder").asString(""))
                + "&type=" + encode(image.path("type").asString(""));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void send(JobOwner owner, Object payload) {
        messaging.convertAndSendToUser(owner.clientId(), USER_DESTINATION, payload);
    }
}
