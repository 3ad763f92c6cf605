#pragma once

#include <cstddef>
#include <string>

namespace ilab::tls {

enum class IoStatus {
    Ok,          // `bytes` transferred (handshake: complete)
    WouldBlock,  // try again when the socket is readable (or writable when wantsWrite())
    Closed,      // orderly end of stream
    Error,       // reset, protocol error, failed handshake: close the connection
};

struct IoResult {
    IoStatus status = IoStatus::Ok;
    std::size_t bytes = 0;
};

// Byte stream over a connected non-blocking socket (style.md E.15): all HTTP logic is written once against
// this interface. Owns the descriptor and closes it when destroyed.
// Thread: the thread that owns the connection (a proxy worker); not thread-safe.
class Transport {
public:
    virtual ~Transport() = default;
    virtual int fd() const = 0;
    virtual bool isTls() const = 0;
    // Drives the TLS handshake (plain: always Ok). WouldBlock: wait for wantsWrite() ? writable : readable.
    virtual IoStatus handshake() = 0;
    virtual IoResult read(char* buffer, std::size_t length) = 0;
    virtual IoResult write(const char* data, std::size_t length) = 0;
    // After WouldBlock: the transport needs the socket to become writable (TLS records pending).
    virtual bool wantsWrite() const { return false; }
    // Bytes already received and decrypted but not yet returned by read() (epoll cannot see them).
    virtual bool hasBufferedInput() const { return false; }
    // Sends what an orderly close needs (TLS close_notify) and half-closes; best effort, never blocks.
    virtual void shutdown() = 0;
    // Why the last call returned Error (for logs and events).
    virtual std::string lastError() const = 0;
    // TLS server name the client asked for ("" without SNI or for plain connections).
    virtual std::string serverName() const { return {}; }
};

}  // namespace ilab::tls
