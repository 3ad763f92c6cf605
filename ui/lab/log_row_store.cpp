#include "ui/lab/log_row_store.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ilab::ui {

namespace {

// zlib level 1: ~3x faster than the default and within ~10% of its size on log rows (the GUI thread compresses
// one chunk per CHUNK_ROWS rows pulled: ~0.3 ms per 1,024 access rows).
constexpr int COMPRESSION_LEVEL = 1;

void putVarint(QByteArray& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}
std::uint64_t zigzag(std::int64_t v) { return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return std::int64_t(v >> 1) ^ -std::int64_t(v & 1); }

// Bounds-checked reader: a corrupt chunk yields fewer rows, never a crash.
struct Reader {
    const unsigned char* p;
    const unsigned char* end;
    bool ok = true;
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                ok = false;
                return 0;
            }
            const unsigned char b = *p++;
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        ok = false;
        return 0;
    }
    bool bytes(void* dst, std::size_t n) {
        if (std::size_t(end - p) < n) return ok = false;
        std::memcpy(dst, p, n);
        p += n;
        return true;
    }
};

constexpr std::size_t SYM_SLOTS = std::tuple_size_v<decltype(LogRow::sym)>;
static_assert(SYM_SLOTS <= 8, "the sym bitmap is one byte");

}  // namespace

LogRowStore::LogRowStore() { m_open.reserve(CHUNK_ROWS); }
LogRowStore::~LogRowStore() = default;

QByteArray LogRowStore::encodeChunk(const std::vector<LogRow>& rows) {
    QByteArray raw;
    raw.reserve(qsizetype(rows.size() * 48));
    putVarint(raw, rows.size());
    std::uint64_t prevId = 0;
    std::int64_t prevTime = 0;
    for (const LogRow& r : rows) {
        putVarint(raw, r.id - prevId);  // ids increase within a feed; wraps harmlessly otherwise
        putVarint(raw, zigzag(r.timeMs - prevTime));
        prevId = r.id;
        prevTime = r.timeMs;
        putVarint(raw, zigzag(r.code));
        char valueBytes[sizeof(float)];
        std::memcpy(valueBytes, &r.value, sizeof(float));
        raw.append(valueBytes, sizeof(float));
        unsigned char mask = 0;
        for (std::size_t i = 0; i < SYM_SLOTS; ++i)
            if (r.sym[i]) mask |= (1u << i);
        raw.append(char(mask));
        for (std::size_t i = 0; i < SYM_SLOTS; ++i)
            if (r.sym[i]) putVarint(raw, r.sym[i]);
        putVarint(raw, std::uint64_t(r.text.size()));
        raw.append(r.text);
    }
    QByteArray packed = qCompress(raw, COMPRESSION_LEVEL);
    packed.squeeze();  // qCompress leaves the worst-case (uncompressed-size) allocation behind
    return packed;
}

std::vector<LogRow> LogRowStore::decodeChunk(const QByteArray& packed) {
    std::vector<LogRow> rows;
    const QByteArray raw = qUncompress(packed);
    Reader in{reinterpret_cast<const unsigned char*>(raw.constData()),
              reinterpret_cast<const unsigned char*>(raw.constData()) + raw.size()};
    const std::uint64_t n = in.varint();
    if (!in.ok || n > CHUNK_ROWS * 16) return rows;
    rows.reserve(std::size_t(n));
    std::uint64_t id = 0;
    std::int64_t time = 0;
    for (std::uint64_t k = 0; k < n && in.ok; ++k) {
        LogRow r;
        id += in.varint();
        time += unzigzag(in.varint());
        r.id = id;
        r.timeMs = time;
        r.code = std::int32_t(unzigzag(in.varint()));
        in.bytes(&r.value, sizeof(float));
        unsigned char mask = 0;
        in.bytes(&mask, 1);
        for (std::size_t i = 0; i < SYM_SLOTS; ++i)
            if (mask & (1u << i)) r.sym[i] = std::uint32_t(in.varint());
        const std::uint64_t len = in.varint();
        if (!in.ok || len > std::uint64_t(in.end - in.p)) break;
        r.text = QByteArray(reinterpret_cast<const char*>(in.p), qsizetype(len));
        in.p += len;
        rows.push_back(std::move(r));
    }
    return rows;
}

std::size_t LogRowStore::estimateBytes(const std::vector<LogRow>& rows) {
    // LogRow itself plus, per non-empty text, QByteArray's header and malloc rounding (~32 bytes).
    std::size_t bytes = rows.capacity() * sizeof(LogRow);
    for (const auto& r : rows)
        if (!r.text.isEmpty()) bytes += std::size_t(r.text.capacity()) + 32;
    return bytes;
}

void LogRowStore::append(LogRow&& row) {
    if (m_open.empty()) {
        m_openFirstSeq = m_end;
        m_openTextBytes = 0;
    }
    m_openTextBytes += row.text.isEmpty() ? 0 : std::size_t(row.text.size()) + 32;
    m_open.push_back(std::move(row));
    ++m_end;
    if (m_open.size() >= CHUNK_ROWS) seal();
}

void LogRowStore::seal() {
    Chunk c;
    c.firstSeq = m_openFirstSeq;
    c.packed = encodeChunk(m_open);
    m_packedBytes += std::size_t(c.packed.capacity());
    m_chunks.push_back(std::move(c));
    m_open.clear();
    m_openTextBytes = 0;
    m_openFirstSeq = m_end;
}

void LogRowStore::dropFront(std::size_t count) {
    count = std::min(count, size());
    if (count == 0) return;
    m_first += count;
    while (!m_chunks.empty() && m_chunks.front().firstSeq + CHUNK_ROWS <= m_first) {
        const std::uint64_t gone = m_chunks.front().firstSeq;
        m_packedBytes -= std::size_t(m_chunks.front().packed.capacity());
        m_chunks.pop_front();
        m_cache.erase(std::remove_if(m_cache.begin(), m_cache.end(),
                                     [gone](const CacheEntry& e) { return e.firstSeq == gone; }),
                      m_cache.end());
    }
    if (m_first > m_openFirstSeq && !m_open.empty()) {
        const std::size_t drop = std::min<std::size_t>(m_open.size(), std::size_t(m_first - m_openFirstSeq));
        for (std::size_t i = 0; i < drop; ++i)
            m_openTextBytes -= m_open[i].text.isEmpty() ? 0 : std::size_t(m_open[i].text.size()) + 32;
        m_open.erase(m_open.begin(), m_open.begin() + std::ptrdiff_t(drop));
        m_openFirstSeq += drop;
    }
}

void LogRowStore::clear() {
    m_chunks.clear();
    m_open.clear();
    m_cache.clear();
    m_packedBytes = 0;
    m_openTextBytes = 0;
    m_first = m_end;
    m_openFirstSeq = m_end;
}

const LogRow* LogRowStore::row(std::uint64_t seq) const {
    if (seq < m_first || seq >= m_end) return nullptr;
    if (seq >= m_openFirstSeq) return &m_open[std::size_t(seq - m_openFirstSeq)];
    // Sealed chunks are full and consecutive: the chunk index is arithmetic.
    const std::size_t index = std::size_t((seq - m_chunks.front().firstSeq) / CHUNK_ROWS);
    const Chunk& chunk = m_chunks[index];
    const std::size_t offset = std::size_t(seq - chunk.firstSeq);
    ++m_useClock;
    for (auto& e : m_cache) {
        if (e.firstSeq == chunk.firstSeq) {
            e.lastUse = m_useClock;
            return offset < e.rows->size() ? &(*e.rows)[offset] : nullptr;
        }
    }
    auto rows = std::make_shared<const std::vector<LogRow>>(decodeChunk(chunk.packed));
    CacheEntry entry{chunk.firstSeq, rows, estimateBytes(*rows), m_useClock};
    if (m_cache.size() < CACHE_CHUNKS) {
        m_cache.push_back(std::move(entry));
    } else {
        auto oldest = std::min_element(m_cache.begin(), m_cache.end(),
                                       [](const CacheEntry& a, const CacheEntry& b) { return a.lastUse < b.lastUse; });
        *oldest = std::move(entry);
    }
    return offset < rows->size() ? &(*rows)[offset] : nullptr;
}

std::size_t LogRowStore::storedBytes() const {
    std::size_t bytes = m_packedBytes + m_chunks.size() * sizeof(Chunk) + m_open.capacity() * sizeof(LogRow) +
                        m_openTextBytes;
    for (const auto& e : m_cache) bytes += e.bytes;
    return bytes;
}

LogRowStore::Snapshot LogRowStore::snapshot() const {
    Snapshot s;
    s.m_chunks.reserve(m_chunks.size());
    for (const auto& c : m_chunks) s.m_chunks.push_back({c.firstSeq, c.packed});
    s.m_open = m_open;
    s.m_openFirstSeq = m_openFirstSeq;
    s.m_first = m_first;
    s.m_end = m_end;
    return s;
}

void LogRowStore::Snapshot::forEach(std::uint64_t from, std::uint64_t to,
                                    const std::function<void(const LogRow&)>& fn) const {
    from = std::max(from, m_first);
    to = std::min(to, m_end);
    for (const auto& c : m_chunks) {
        if (c.firstSeq + CHUNK_ROWS <= from) continue;
        if (c.firstSeq >= to) break;
        const auto rows = decodeChunk(c.packed);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::uint64_t seq = c.firstSeq + i;
            if (seq >= from && seq < to) fn(rows[i]);
        }
    }
    for (std::size_t i = 0; i < m_open.size(); ++i) {
        const std::uint64_t seq = m_openFirstSeq + i;
        if (seq >= from && seq < to) fn(m_open[i]);
    }
}

void LogRowStore::Snapshot::forEach(const std::vector<std::uint64_t>& seqs,
                                    const std::function<void(const LogRow&)>& fn) const {
    std::size_t k = 0;
    while (k < seqs.size() && seqs[k] < m_first) ++k;
    for (const auto& c : m_chunks) {
        if (k >= seqs.size()) return;
        if (seqs[k] >= c.firstSeq + CHUNK_ROWS) continue;
        const auto rows = decodeChunk(c.packed);
        while (k < seqs.size() && seqs[k] < c.firstSeq + CHUNK_ROWS) {
            const std::size_t offset = std::size_t(seqs[k] - c.firstSeq);
            if (offset < rows.size()) fn(rows[offset]);
            ++k;
        }
    }
    for (; k < seqs.size(); ++k)
        if (seqs[k] >= m_openFirstSeq && seqs[k] < m_end) fn(m_open[std::size_t(seqs[k] - m_openFirstSeq)]);
}

}  // namespace ilab::ui
