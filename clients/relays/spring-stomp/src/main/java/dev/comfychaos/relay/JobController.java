package dev.comfychaos.relay;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

@RestController
public class JobController {

    private final JobService jobs;

    public JobController(JobService jobs) {
        this.jobs = jobs;
    }

    /** A job as the browser's backend sends it; {@code prompt} is in ComfyUI's API format. */
    public record JobRequest(String userId, String clientId, JsonNode prompt) {
    }

    @PostMapping("/api/jobs")
    public Map<String, String> submit(@RequestBody JobRequest request) throws InterruptedException {
        String promptId = jobs.submit(request.userId(), request.clientId(), request.prompt());
        return Map.of("prompt_id", promptId);
    }

    @ExceptionHandler(JobService.SubmitException.class)
    public ResponseEntity<Map<String, String>> comfyRefused(JobService.SubmitException e) {
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("error", e.getMessage()));
    }
}
