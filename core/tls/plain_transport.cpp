#include "core/tls/plain_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ilab::tls {

PlainTransport::~PlainTransport() {
    if (m_fd >= 0) ::close(m_fd);
}

IoResult PlainTransport::read(char* buffer, std::size_t length) {
    for (;;) {
        ssize_t n = ::recv(m_fd, buffer, length, 0);
        if (n > 0) return {IoStatus::Ok, std::size_t(n)};
        if (n == 0) return {IoStatus::Closed, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock, 0};
        m_error = std::strerror(errno);
        return {IoStatus::Error, 0};
    }
}

IoResult PlainTransport::write(const char* data, std::size_t length) {
    for (;;) {
        ssize_t n = ::send(m_fd, data, length, MSG_NOSIGNAL);
        if (n >= 0) return {IoStatus::Ok, std::size_t(n)};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock, 0};
        m_error = std::strerror(errno);
        return {IoStatus::Error, 0};
    }
}

void PlainTransport::shutdown() { ::shutdown(m_fd, SHUT_WR); }

}  // namespace ilab::tls
