#include "core/events/line_log.h"

#include <algorithm>

namespace ilab::events {

LineLog::LineLog(std::size_t capacity) : m_capacity(std::max<std::size_t>(capacity, 1)) {}
LineLog::~LineLog() = default;

std::uint64_t LineLog::append(std::string_view line) { return append(line, std::string_view()); }

std::uint64_t LineLog::append(std::string_view line, std::string_view meta) {
    ChunkPtr toCompress;
    std::uint64_t id;
    {
        std::lock_guard lock(m_mutex);
        if (m_chunks.empty() || m_chunks.back()->count >= CHUNK_LINES || m_chunks.back()->isCompressed) {
            auto c = std::make_shared<Chunk>();
            c->firstId = m_nextId;
            c->raw.reserve(CHUNK_LINES * 160);
            m_chunks.push_back(std::move(c));
        }
        Chunk& c = *m_chunks.back();
        const std::size_t before = c.raw.size();
        c.raw.append(line.data(), line.size());
        if (!meta.empty()) {
            c.raw.push_back(META_SEPARATOR);  // replaced below like the others, so re-add after the scrub
            c.raw.append(meta.data(), meta.size());
        }
        for (std::size_t i = before; i < c.raw.size(); ++i)
            if (c.raw[i] == '\n' || c.raw[i] == '\r' || c.raw[i] == META_SEPARATOR) c.raw[i] = ' ';
        if (!meta.empty()) c.raw[before + line.size()] = META_SEPARATOR;
        c.raw.push_back('\n');
        m_bytes += c.raw.size() - before;
        ++c.count;
        ++m_size;
        id = m_nextId++;
        if (c.count >= CHUNK_LINES) toCompress = m_chunks.back();
        // Drop the oldest chunk once the rest still holds `capacity` lines.
        while (m_chunks.size() > 1 && m_size - m_chunks.front()->count >= m_capacity) {
            const Chunk& f = *m_chunks.front();
            m_size -= f.count;
            m_bytes -= f.isCompressed ? static_cast<std::size_t>(f.compressed.size()) : f.raw.size();
            m_chunks.pop_front();
        }
    }
    if (toCompress) compressChunk(toCompress);
    return id;
}

void LineLog::compressChunk(const ChunkPtr& chunk) {
    // The chunk is full, so nobody appends to it any more; only this thread reads `raw` for compression.
    // Readers copy `raw` under the mutex, so the swap below happens under the mutex too.
    std::string rawCopy;
    {
        std::lock_guard lock(m_mutex);
        rawCopy = chunk->raw;
    }
    QByteArray packed = qCompress(reinterpret_cast<const uchar*>(rawCopy.data()), static_cast<qsizetype>(rawCopy.size()), 1);
    // qCompress allocates for the worst case (input size + 1%) and only shrinks the size: without squeeze() each
    // chunk kept ~the uncompressed size allocated (1M access lines held ~270 MB, not the ~40 MB storedBytes says).
    packed.squeeze();
    std::lock_guard lock(m_mutex);
    const bool stillHeld = std::find(m_chunks.begin(), m_chunks.end(), chunk) != m_chunks.end();
    if (stillHeld) m_bytes = m_bytes - chunk->raw.size() + static_cast<std::size_t>(packed.size());
    chunk->compressed = std::move(packed);
    chunk->isCompressed = true;
    std::string().swap(chunk->raw);
}

std::vector<std::string> LineLog::splitLines(const std::string& payload) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < payload.size()) {
        std::size_t nl = payload.find('\n', start);
        if (nl == std::string::npos) nl = payload.size();
        out.emplace_back(payload, start, nl - start);
        start = nl + 1;
    }
    return out;
}

LineBatch LineLog::linesSince(std::uint64_t lastId, std::size_t maxCount) const {
    LineBatch batch;
    if (maxCount == 0) return batch;
    struct Piece {
        std::uint64_t firstId;
        bool compressed;
        QByteArray packed;
        std::string raw;
    };
    std::vector<Piece> pieces;
    {
        std::lock_guard lock(m_mutex);
        if (m_chunks.empty()) return batch;
        std::uint64_t want = std::max(lastId + 1, m_chunks.front()->firstId);
        std::size_t needed = maxCount;
        for (const auto& c : m_chunks) {
            if (c->firstId + c->count <= want) continue;
            if (needed == 0) break;
            Piece p{c->firstId, c->isCompressed, c->compressed, c->isCompressed ? std::string() : c->raw};
            pieces.push_back(std::move(p));
            const std::size_t avail = c->firstId + c->count - std::max(want, c->firstId);
            needed -= std::min(needed, avail);
        }
        batch.firstId = want;
    }
    for (const Piece& p : pieces) {
        std::shared_ptr<const std::vector<std::string>> lines;
        if (p.compressed) {
            {
                std::lock_guard lock(m_cacheMutex);
                if (m_cacheLines && m_cacheFirstId == p.firstId) lines = m_cacheLines;
            }
            if (!lines) {
                QByteArray raw = qUncompress(p.packed);
                auto v = std::make_shared<std::vector<std::string>>(splitLines(raw.toStdString()));
                lines = v;
                std::lock_guard lock(m_cacheMutex);
                m_cacheFirstId = p.firstId;
                m_cacheLines = lines;
            }
        } else {
            lines = std::make_shared<std::vector<std::string>>(splitLines(p.raw));
        }
        std::size_t from = batch.firstId > p.firstId ? static_cast<std::size_t>(batch.firstId - p.firstId) : 0;
        for (std::size_t i = from; i < lines->size() && batch.lines.size() < maxCount; ++i) {
            const std::string& l = (*lines)[i];
            const std::size_t sep = l.find(META_SEPARATOR);
            if (sep == std::string::npos) {
                batch.lines.push_back(l);
                if (!batch.meta.empty()) batch.meta.emplace_back();
                continue;
            }
            if (batch.meta.empty()) batch.meta.resize(batch.lines.size());
            batch.lines.emplace_back(l, 0, sep);
            batch.meta.emplace_back(l, sep + 1);
        }
    }
    return batch;
}

std::uint64_t LineLog::lastId() const {
    std::lock_guard lock(m_mutex);
    return m_nextId - 1;
}

std::uint64_t LineLog::firstId() const {
    std::lock_guard lock(m_mutex);
    return m_chunks.empty() ? 0 : m_chunks.front()->firstId;
}

std::size_t LineLog::size() const {
    std::lock_guard lock(m_mutex);
    return m_size;
}

std::size_t LineLog::storedBytes() const {
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

}  // namespace ilab::events
