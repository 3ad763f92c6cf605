#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/kube/api_error.h"
#include "core/kube/cluster_connection.h"

namespace ilab::kube {

// Where bearer tokens come from when they are not a static `token` in the kubeconfig: exec plugins and token
// files (implemented in core/kube/credentials*). The REST client calls both methods only on its own credential
// thread, one call at a time, never on the I/O thread or the caller's thread, so they may block (an exec plugin
// that opens a browser).
struct CredentialSource {
    virtual ~CredentialSource();
    // The token to send as `Authorization: Bearer ...` now; nullopt: send none (e.g. client-certificate auth).
    virtual std::optional<SecretBytes> bearerToken() = 0;
    // The server answered 401: drop cached credentials and get fresh ones (re-run the plugin, re-read the file).
    // true: bearerToken() now returns something new worth one retry.
    virtual bool refreshAfter401() = 0;
    // The client certificate + key (PEM) to present with the token, when the source has one (an exec plugin's
    // clientCertificateData / clientKeyData). Called right after bearerToken() on the same thread.
    virtual std::optional<std::pair<SecretBytes, SecretBytes>> clientCertificate() { return std::nullopt; }
    // Why the last bearerToken() could not produce credentials ("" when it did, or when none are expected). A
    // request then fails with RestErrorKind::Credentials and this message instead of going out anonymous.
    virtual std::string lastError() { return {}; }
};

// One HTTP request against the API server. `path` is the API path ("/api/v1/namespaces/lab/configmaps"); the
// server's own path prefix (https://host:port/prefix) is prepended. Query values are percent-encoded here.
struct RestRequest {
    std::string verb = "GET";
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;
    std::string contentType;  // e.g. "application/apply-patch+yaml"; empty: no Content-Type
    std::string accept = "application/json";
    // 429 / 503 / 504 are retried after Retry-After or details.retryAfterSeconds (at least
    // Options::defaultRetryDelay, at most Options::maxRetryAfter, else the error is returned), at most this often.
    // Leave it at 0 for requests that are not idempotent (POST).
    int throttleRetries = 3;
    std::chrono::milliseconds timeout{30000};  // the whole request; 0: none (watches end when the server says so)
};

// The outcome of a request. On success `error` is empty and `http` is 2xx.
struct RestReply {
    int http = 0;  // 0 when no response arrived
    std::string body;  // for streams: empty (lines went to onLine) unless the status was not 2xx
    std::vector<std::string> warnings;  // texts of the `Warning` response headers, in order
    std::optional<RestError> error;
    std::size_t discardedBytes = 0;  // streams: bytes of an incomplete last line that were dropped
    int attempts = 1;  // 1 + retries (429/503/504 and the one retry after a 401)

    bool ok() const { return !error.has_value(); }
    QJsonObject json() const;  // the body as a JSON object (empty when it is not one)
};

struct StreamHandlers {
    // One complete line of a 2xx response (without the '\n'); empty lines are skipped. A line that was cut
    // (connection closed before its '\n') is never delivered.
    std::function<void(std::string line)> onLine;
    // Exactly once at the end, unless cancelled: a clean end of stream (ok()), the error status, or the
    // transport error that cut the stream.
    std::function<void(const RestReply&)> onDone;
};

struct RestClientOptions {
    std::string userAgent = "ingress-lab/0.1";
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds defaultRetryDelay{1000};  // 429/503/504 without any retry-after hint
    std::chrono::milliseconds maxRetryAfter{60000};
    bool http2 = true;  // negotiate HTTP/2 over TLS (ALPN); plain http:// stays HTTP/1.1
    // Called on the I/O thread with one line per finished attempt: "GET https://h:6443/api?x=y -> 200 (12 ms)".
    std::function<void(const std::string&)> trace;
};

// A Kubernetes REST client for one cluster connection.
//
// Threads: all HTTP runs on ONE libcurl multi handle on the client's own I/O thread (curl_multi_poll, woken with
// curl_multi_wakeup when work is submitted); credential sources run on a second, credential thread. send/stream/
// cancel may be called from any thread. Results are delivered on the thread of `context` (nullptr: the client's
// own thread) through queued invocations: that thread needs an event loop, and nothing ever blocks it. When
// `context` is destroyed first, its callbacks are dropped (Qt's queued connections take care of that race).
//
// TLS: the CA, client certificate and key go to libcurl as in-memory blobs (CURLOPT_*_BLOB); tls-server-name is
// done with CURLOPT_CONNECT_TO (SNI and verification name = tlsServerName, TCP to the server's host, Host header
// unchanged as in client-go); CURLOPT_PROXY is always set (the kubeconfig's proxy-url, "" = none, never the
// environment's); insecure-skip-tls-verify turns verification off.
//
// Secrets: Authorization headers, tokens, keys and request/response bodies are never logged; the trace callback
// gets method, URL (path and query), status and timing only.
//
// The destructor stops both threads; no callback runs after it (not even for replies already queued to a
// context). Informers and other users of a client must be destroyed before it.
class RestClient : public QObject {
    Q_OBJECT
public:
    using RequestId = std::uint64_t;

    using Options = RestClientOptions;

    explicit RestClient(ClusterConnection connection, std::shared_ptr<CredentialSource> credentials = {},
                        Options options = {}, QObject* parent = nullptr);
    ~RestClient() override;
    RestClient(const RestClient&) = delete;
    RestClient& operator=(const RestClient&) = delete;

    RequestId send(RestRequest request, QObject* context, std::function<void(const RestReply&)> done);
    RequestId stream(RestRequest request, QObject* context, StreamHandlers handlers);
    // After cancel() returns on the context's thread, none of the request's callbacks run any more.
    void cancel(RequestId id);

    const std::string& server() const { return m_server; }
    const std::string& defaultNamespace() const { return m_defaultNamespace; }
    // The full URL a request goes to (for messages and tests).
    std::string urlFor(const RestRequest& request) const;

    int activeRequestsForTest() const;

signals:
    // A `Warning` header arrived (deprecated API, ignored field, ...): text as the server wrote it, without the
    // `299 -` prefix, and the request's method and path. Emitted on the client's thread.
    void warningReceived(const QString& text, const QString& method, const QString& path);

private:
    RequestId submit(RestRequest request, QObject* context, std::function<void(const RestReply&)> done,
                     StreamHandlers* handlers);
    struct Impl;
    std::string m_server;
    std::string m_defaultNamespace;
    std::unique_ptr<Impl> m_impl;
};

// Percent-encodes a query component (RFC 3986 unreserved characters stay).
std::string encodeQueryComponent(std::string_view s);

}  // namespace ilab::kube
