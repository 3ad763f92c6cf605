#pragma once

// libcurl client for tests/e2e/conformance_serve_test.cpp: sends one request exactly as a conformance case writes
// it (Host header as given, SNI as given or none, source address, raw path) to a running `ingress-lab-cli serve`
// and returns status, headers, body and the certificate the server presented. One instance per thread; the easy
// handle is kept, so consecutive requests reuse the keep-alive connection (what the rate-limit and canary loops
// need: "all requests arrive within a few milliseconds").

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>

namespace ilab::e2e {

struct ClientRequest {
    std::string method = "GET";
    std::string scheme = "http";
    std::string host;                  // Host header; "" = the controller's IP literal
    std::string path = "/";            // sent as written (may carry a query)
    std::optional<std::string> sni;    // https: the TLS server name; nullopt = no SNI (connect to the IP literal)
    std::vector<std::pair<std::string, std::string>> headers;
    std::uint64_t bodyBytes = 0;       // > 0: a body of that many bytes (Content-Length, no Expect: 100-continue)
    std::string sourceIp;              // local address to connect from ("" = the default, 127.0.0.1)
};

struct ClientResponse {
    std::string error;  // curl's error text; empty = a response arrived
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // of the final response, in order
    std::string body;
    std::string certificatePem;  // https: the leaf certificate the server presented (first handshake on the handle)

    static std::string lower(std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    }
    std::vector<std::string> headerValues(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : headers)
            if (lower(k) == lower(name)) out.push_back(v);
        return out;
    }
    std::optional<std::string> header(const std::string& name) const {
        auto all = headerValues(name);
        if (all.empty()) return std::nullopt;
        return all.back();
    }
};

class CaseClient {
public:
    CaseClient(int httpPort, int httpsPort) : m_httpPort(httpPort), m_httpsPort(httpsPort), m_curl(curl_easy_init()) {}
    ~CaseClient() {
        if (m_curl) curl_easy_cleanup(m_curl);
    }
    CaseClient(const CaseClient&) = delete;
    CaseClient& operator=(const CaseClient&) = delete;

    ClientResponse send(const ClientRequest& r, long timeoutSeconds = 30) {
        ClientResponse out;
        if (!m_curl) {
            out.error = "curl_easy_init failed";
            return out;
        }
        curl_easy_reset(m_curl);  // keeps the connection pool and the TLS session cache
        const bool https = r.scheme == "https";
        const int port = https ? m_httpsPort : m_httpPort;
        std::string urlHost = "127.0.0.1";
        curl_slist* resolve = nullptr;
        if (https && r.sni && !r.sni->empty()) {
            urlHost = *r.sni;
            const std::string entry = *r.sni + ":" + std::to_string(port) + ":127.0.0.1";
            resolve = curl_slist_append(resolve, entry.c_str());
        }
        const std::string url = (https ? "https://" : "http://") + urlHost + ":" + std::to_string(port) + r.path;
        curl_slist* hs = nullptr;
        hs = curl_slist_append(hs, ("Host: " + (r.host.empty() ? std::string("127.0.0.1") : r.host)).c_str());
        hs = curl_slist_append(hs, "Expect:");
        for (const auto& [k, v] : r.headers) hs = curl_slist_append(hs, (k + ": " + v).c_str());
        std::string body;
        if (r.bodyBytes > 0) body.assign(r.bodyBytes, 'b');

        curl_easy_setopt(m_curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(m_curl, CURLOPT_PATH_AS_IS, 1L);
        curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, hs);
        if (resolve) curl_easy_setopt(m_curl, CURLOPT_RESOLVE, resolve);
        if (!r.sourceIp.empty()) curl_easy_setopt(m_curl, CURLOPT_INTERFACE, r.sourceIp.c_str());
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(m_curl, CURLOPT_CERTINFO, 1L);
        curl_easy_setopt(m_curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(m_curl, CURLOPT_TIMEOUT, timeoutSeconds);
        curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
        if (!body.empty()) {
            curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(m_curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        }
        if (r.method == "HEAD") curl_easy_setopt(m_curl, CURLOPT_NOBODY, 1L);  // a HEAD answer has no body to wait for
        else if (r.method != "GET" || !body.empty()) curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
        curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &CaseClient::onBody);
        curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &out);
        curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, &CaseClient::onHeader);
        curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, &out);

        const CURLcode rc = curl_easy_perform(m_curl);
        if (rc != CURLE_OK) {
            out.error = curl_easy_strerror(rc);
        } else {
            curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &out.status);
            curl_certinfo* ci = nullptr;
            if (https && curl_easy_getinfo(m_curl, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0)
                for (curl_slist* s = ci->certinfo[0]; s; s = s->next)
                    if (std::string(s->data).rfind("Cert:", 0) == 0) out.certificatePem = s->data + 5;
        }
        curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, nullptr);
        curl_easy_setopt(m_curl, CURLOPT_RESOLVE, nullptr);
        curl_slist_free_all(hs);
        curl_slist_free_all(resolve);
        return out;
    }

private:
    static size_t onBody(char* data, size_t size, size_t n, void* user) {
        static_cast<ClientResponse*>(user)->body.append(data, size * n);
        return size * n;
    }
    static size_t onHeader(char* data, size_t size, size_t n, void* user) {
        auto* out = static_cast<ClientResponse*>(user);
        std::string line(data, size * n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        if (line.rfind("HTTP/", 0) == 0) {
            out->headers.clear();  // a new response (after 1xx): keep only the final one's headers
            return size * n;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) return size * n;
        std::string value = line.substr(colon + 1);
        const auto first = value.find_first_not_of(" \t");
        value = first == std::string::npos ? std::string() : value.substr(first);
        out->headers.emplace_back(line.substr(0, colon), value);
        return size * n;
    }

    int m_httpPort, m_httpsPort;
    CURL* m_curl;
};

}  // namespace ilab::e2e
