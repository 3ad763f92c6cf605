#include "core/kube/websocket.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QRandomGenerator>

namespace ilab::kube::websocket {

std::string acceptFor(std::string_view key) {
    QByteArray input(key.data(), qsizetype(key.size()));
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64().toStdString();
}

std::string newKey() {
    QByteArray raw(16, '\0');
    for (char& c : raw) c = char(QRandomGenerator::system()->bounded(256));
    return raw.toBase64().toStdString();
}

std::string encodeFrame(Opcode opcode, std::string_view payload, bool masked, std::uint32_t maskKey) {
    std::string f;
    f.reserve(payload.size() + 14);
    f.push_back(char(0x80 | std::uint8_t(opcode)));
    const std::uint64_t n = payload.size();
    const char maskBit = masked ? char(0x80) : char(0);
    if (n < 126) {
        f.push_back(char(maskBit | char(n)));
    } else if (n < 65536) {
        f.push_back(char(maskBit | 126));
        f.push_back(char((n >> 8) & 0xff));
        f.push_back(char(n & 0xff));
    } else {
        f.push_back(char(maskBit | 127));
        for (int i = 7; i >= 0; --i) f.push_back(char((n >> (8 * i)) & 0xff));
    }
    if (!masked) {
        f.append(payload);
        return f;
    }
    const unsigned char mask[4] = {std::uint8_t(maskKey >> 24), std::uint8_t(maskKey >> 16),
                                   std::uint8_t(maskKey >> 8), std::uint8_t(maskKey)};
    f.append(reinterpret_cast<const char*>(mask), 4);
    const std::size_t start = f.size();
    f.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i) f[start + i] = char(f[start + i] ^ mask[i % 4]);
    return f;
}

std::string encodeChannelMessage(int channel, std::string_view payload, bool masked, std::uint32_t maskKey) {
    std::string m;
    m.reserve(payload.size() + 1);
    m.push_back(char(channel));
    m.append(payload);
    return encodeFrame(Opcode::Binary, m, masked, maskKey);
}

std::optional<Frame> FrameDecoder::next(std::string* error) {
    if (m_buffer.size() < 2) return std::nullopt;
    const auto* b = reinterpret_cast<const unsigned char*>(m_buffer.data());
    if (b[0] & 0x70) {
        if (error) *error = "websocket frame with reserved bits set";
        return std::nullopt;
    }
    const std::uint8_t op = b[0] & 0x0f;
    if (!(op <= 0x2 || (op >= 0x8 && op <= 0xA))) {
        if (error) *error = "websocket frame with unknown opcode " + std::to_string(op);
        return std::nullopt;
    }
    const bool masked = b[1] & 0x80;
    std::uint64_t len = b[1] & 0x7f;
    std::size_t pos = 2;
    if (len == 126) {
        if (m_buffer.size() < 4) return std::nullopt;
        len = (std::uint64_t(b[2]) << 8) | b[3];
        pos = 4;
    } else if (len == 127) {
        if (m_buffer.size() < 10) return std::nullopt;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
        pos = 10;
    }
    if (len > m_maxPayload) {
        if (error) *error = "websocket frame of " + std::to_string(len) + " bytes exceeds the limit";
        return std::nullopt;
    }
    const std::size_t maskBytes = masked ? 4 : 0;
    if (m_buffer.size() < pos + maskBytes + len) return std::nullopt;
    Frame frame;
    frame.opcode = Opcode(op);
    frame.fin = b[0] & 0x80;
    frame.payload.assign(m_buffer, pos + maskBytes, std::size_t(len));
    if (masked) {
        const unsigned char* mask = b + pos;
        for (std::size_t i = 0; i < frame.payload.size(); ++i) frame.payload[i] = char(frame.payload[i] ^ mask[i % 4]);
    }
    m_buffer.erase(0, pos + maskBytes + std::size_t(len));
    return frame;
}

}  // namespace ilab::kube::websocket
