package dev.comfychaos.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/** Credits reserved per user while their jobs run; one credit per job. */
@Service
public class CreditLedger {

    private static final Logger log = LoggerFactory.getLogger(CreditLedger.class);

    private final Map<String, Integer> reserved = new ConcurrentHashMap<>();
    private final RelayProperties properties;
    private final RestClient restClient = RestClients.http11(null);

    public CreditLedger(RelayProperties properties) {
        this.properties = properties;
    }

    public void reserve(String userId) {
        reserved.merge(userId, 1, Integer::sum);
    }

    /** Gives back a reservation for a job that never reached ComfyUI. */
    public void release(String userId) {
        reserved.computeIfPresent(userId, (user, credits) -> credits > 1 ? credits - 1 : null);
    }

    /** Gives back the credit of a failed job and reports it to the billing service. */
    public void refund(String userId, String promptId) {
        release(userId);
        String refundUrl = properties.refundUrl();
        if (refundUrl.isEmpty()) {
            return;
        }
        try {
            restClient.post()
                    .uri(refundUrl)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("userId", userId, "promptId", promptId))
                    .retrieve()
                    .toBodilessEntity();
            log.info("Refunded user {} for prompt {}", userId, promptId);
        } catch (RestClientException e) {
            log.warn("Refund of prompt {} for user {} failed: {}", promptId, userId, e.getMessage());
        }
    }

    public int reservedCredits(String userId) {
        return reserved.getOrDefault(userId, 0);
    }
}
