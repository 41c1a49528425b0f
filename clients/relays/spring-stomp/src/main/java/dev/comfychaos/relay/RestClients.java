package dev.comfychaos.relay;

import java.net.http.HttpClient;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** RestClients that speak plain HTTP/1.1. */
final class RestClients {

    private RestClients() {
    }

    /**
     * The JDK client's default offers an {@code Upgrade: h2c} on every request; aiohttp before
     * 3.10.2 dropped the body of such a POST (aio-libs/aiohttp#8414), so we never offer it.
     */
    static RestClient http11(String baseUrl) {
        HttpClient httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        RestClient.Builder builder = RestClient.builder().requestFactory(new JdkClientHttpRequestFactory(httpClient));
        return baseUrl == null ? builder.build() : builder.baseUrl(baseUrl).build();
    }
}
