#pragma once

#include "core/tls/transport.h"

namespace ilab::tls {

// Transport over a plain TCP socket: read/write straight on the descriptor. Thread and owner: as Transport.
class PlainTransport final : public Transport {
public:
    explicit PlainTransport(int fd) : m_fd(fd) {}
    ~PlainTransport() override;
    int fd() const override { return m_fd; }
    bool isTls() const override { return false; }
    IoStatus handshake() override { return IoStatus::Ok; }
    IoResult read(char* buffer, std::size_t length) override;
    IoResult write(const char* data, std::size_t length) override;
    void shutdown() override;
    std::string lastError() const override { return m_error; }

private:
    int m_fd;
    std::string m_error;
};

}  // namespace ilab::tls
