#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <QByteArray>

#include "ui/lab/log_feed.h"

namespace ilab::ui {

// Compact storage behind a LogTableModel: rows are addressed by an absolute sequence number (seq) and kept in
// chunks of CHUNK_ROWS. The newest (open) chunk stays as LogRow values; a full chunk is serialised (varint deltas
// for ids and times, a bitmap for the used sym slots, the text bytes) and zlib-compressed, which takes an access
// log row from ~140 bytes (LogRow + its QByteArray allocation) to ~15-30 bytes, so 1,000,000 rows fit in a few
// tens of MB. row() decodes a chunk on demand into a small LRU cache (CACHE_CHUNKS), which is all a table view
// (a screenful of rows) or a sequential filter scan needs. Dropping the oldest rows frees whole chunks.
//
// GUI thread (not thread-safe). snapshot() hands the immutable compressed chunks (implicitly shared QByteArrays)
// to another thread, e.g. for an export, without copying or decoding them on the GUI thread.
class LogRowStore {
public:
    static constexpr std::size_t CHUNK_ROWS = 1024;
    // Decoded chunks kept: a view shows 1-2, a scan walks forward; 8 x 1024 rows is ~1 MB of LogRows.
    static constexpr std::size_t CACHE_CHUNKS = 8;

    LogRowStore();
    ~LogRowStore();

    std::uint64_t firstSeq() const { return m_first; }
    std::uint64_t endSeq() const { return m_end; }
    std::size_t size() const { return std::size_t(m_end - m_first); }

    void append(LogRow&& row);
    // Forgets the `count` oldest rows.
    void dropFront(std::size_t count);
    // Forgets every row; sequence numbers continue after the last one.
    void clear();
    // The row with this seq, or nullptr outside [firstSeq, endSeq). The pointer stays valid until the next
    // non-const call or until CACHE_CHUNKS other chunks have been decoded: copy what you keep.
    const LogRow* row(std::uint64_t seq) const;

    // Bytes held: compressed chunks, the open chunk and the decode cache (estimates of heap use, for the bound).
    std::size_t storedBytes() const;
    std::size_t compressedChunkCountForTest() const { return m_chunks.size(); }

    // An immutable view of the rows at one moment, safe to read on any thread.
    class Snapshot {
    public:
        // Calls fn for each row with seq in [from, to) that is still in the snapshot, oldest first.
        void forEach(std::uint64_t from, std::uint64_t to, const std::function<void(const LogRow&)>& fn) const;
        // Calls fn for the rows with these seqs (ascending), e.g. the rows a filter shows.
        void forEach(const std::vector<std::uint64_t>& seqs, const std::function<void(const LogRow&)>& fn) const;
        std::uint64_t firstSeq() const { return m_first; }
        std::uint64_t endSeq() const { return m_end; }

    private:
        friend class LogRowStore;
        struct Packed {
            std::uint64_t firstSeq;
            QByteArray packed;
        };
        std::vector<Packed> m_chunks;
        std::uint64_t m_openFirstSeq = 0;
        std::vector<LogRow> m_open;
        std::uint64_t m_first = 0, m_end = 0;
    };
    Snapshot snapshot() const;

    // Serialisation of one chunk (exposed for the snapshot and tests).
    static QByteArray encodeChunk(const std::vector<LogRow>& rows);
    static std::vector<LogRow> decodeChunk(const QByteArray& packed);

private:
    struct Chunk {
        std::uint64_t firstSeq = 0;  // the chunk holds [firstSeq, firstSeq + CHUNK_ROWS)
        QByteArray packed;
    };
    struct CacheEntry {
        std::uint64_t firstSeq = 0;
        std::shared_ptr<const std::vector<LogRow>> rows;
        std::size_t bytes = 0;
        std::uint64_t lastUse = 0;
    };
    void seal();
    static std::size_t estimateBytes(const std::vector<LogRow>& rows);

    std::deque<Chunk> m_chunks;     // sealed, full chunks, oldest first, consecutive
    std::vector<LogRow> m_open;     // rows [m_openFirstSeq, m_end)
    std::uint64_t m_openFirstSeq = 0;
    std::size_t m_openTextBytes = 0;
    std::size_t m_packedBytes = 0;  // sum of m_chunks[i].packed.size()
    std::uint64_t m_first = 0;      // oldest live seq (may lie inside the first chunk)
    std::uint64_t m_end = 0;        // one past the newest seq
    mutable std::vector<CacheEntry> m_cache;
    mutable std::uint64_t m_useClock = 0;
};

}  // namespace ilab::ui
