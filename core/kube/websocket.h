#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// RFC 6455 framing for the Kubernetes channel protocols (v4.channel.k8s.io: every binary message is one channel
// byte + payload). Pure functions and a small incremental decoder; no I/O. Used by the native port-forward
// (core/kube/port_forward) and by the stand-in kubelet's tests.
namespace ilab::kube::websocket {

enum class Opcode : std::uint8_t { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
std::string acceptFor(std::string_view key);
// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
std::string newKey();

// One frame with FIN set. Client frames are masked (maskKey), server frames are not (masked = false).
std::string encodeFrame(Opcode opcode, std::string_view payload, bool masked, std::uint32_t maskKey = 0);
// A binary message on a channel: [channel][payload].
std::string encodeChannelMessage(int channel, std::string_view payload, bool masked, std::uint32_t maskKey = 0);

struct Frame {
    Opcode opcode = Opcode::Binary;
    bool fin = true;
    std::string payload;  // unmasked
};

// Feeds bytes in, takes complete frames out. A frame larger than maxPayload, a reserved bit or an unknown opcode
// is an error (the connection must be closed).
class FrameDecoder {
public:
    explicit FrameDecoder(std::size_t maxPayload = 16 * 1024 * 1024) : m_maxPayload(maxPayload) {}
    void feed(const char* data, std::size_t size) { m_buffer.append(data, size); }
    void feed(std::string_view data) { m_buffer.append(data); }
    // The next complete frame, nullopt when more bytes are needed or on error (then *error is set).
    std::optional<Frame> next(std::string* error);
    std::size_t buffered() const { return m_buffer.size(); }

private:
    std::string m_buffer;
    std::size_t m_maxPayload;
};

}  // namespace ilab::kube::websocket
