package dev.comfychaos.relay;

/** Who submitted a prompt: the account to charge and the browser to notify. */
public record JobOwner(String userId, String clientId) {
}
