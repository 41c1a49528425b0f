package dev.comfychaos.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

import tools.jackson.databind.JsonNode;

/** Submits prompts to ComfyUI one at a time and remembers who owns each prompt. */
@Service
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    /** One job at a time on our GPU. */
    private final Semaphore gpu = new Semaphore(1);
    private final Map<String, JobOwner> owners = new ConcurrentHashMap<>();
    private final Map<String, List<String>> results = new ConcurrentHashMap<>();

    private final RelayProperties properties;
    private final CreditLedger credits;
    private final RestClient comfy;

    public JobService(RelayProperties properties, CreditLedger credits) {
        this.properties = properties;
        this.credits = credits;
        this.comfy = RestClients.http11(properties.comfyUrl());
    }

    /**
     * Waits for the GPU, reserves a credit and queues the prompt.
     *
     * @return the prompt_id ComfyUI gave the prompt
     * @throws SubmitException when ComfyUI refused the prompt or could not be reached
     */
    public String submit(String userId, String clientId, JsonNode prompt) throws InterruptedException {
        gpu.acquire();
        credits.reserve(userId);
        try {
            JsonNode reply = comfy.post()
                    .uri("/prompt")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("prompt", prompt, "client_id", properties.clientId()))
                    .retrieve()
                    .body(JsonNode.class);
            String promptId = reply.path("prompt_id").asString();
            owners.put(promptId, new JobOwner(userId, clientId));
            log.info("Queued prompt {} for user {} (browser {})", promptId, userId, clientId);
            return promptId;
        } catch (RestClientResponseException e) {
            credits.release(userId);
            gpu.release();
            throw new SubmitException("ComfyUI answered " + e.getStatusCode().value() + ": " + e.getResponseBodyAsString(), e);
        } catch (RestClientException e) {
            credits.release(userId);
            gpu.release();
            throw new SubmitException("ComfyUI is unreachable: " + e.getMessage(), e);
        }
    }

    /** Called when ComfyUI reports an empty queue: the next job may go. */
    public void queueDrained() {
        if (gpu.availablePermits() == 0) {
            gpu.release();
        }
    }

    public JobOwner ownerOf(String promptId) {
        return owners.get(promptId);
    }

    /** Saves the image URLs of a finished prompt. */
    public void saveResult(String promptId, List<String> urls) {
        results.computeIfAbsent(promptId, id -> new ArrayList<>()).addAll(urls);
    }

    public List<String> resultsOf(String promptId) {
        return results.getOrDefault(promptId, List.of());
    }

    /** ComfyUI did not take the prompt. */
    public static class SubmitException extends RuntimeException {
        public SubmitException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
