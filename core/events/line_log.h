#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <QByteArray>

namespace ilab::events {

// A run of consecutive log lines: line i has id firstId + i.
struct LineBatch {
    std::uint64_t firstId = 0;
    std::vector<std::string> lines;
    // Structured side data appended with append(line, meta) (e.g. the access record's Host, see
    // access_meta.h): empty when no line of the batch has any, else one entry per line ("" = none).
    std::vector<std::string> meta;
};

// Bounded ring buffer of text lines (controller log in klog format, access log) with ids that only increase
// (style.md F.19). Sized for 1,000,000 lines in little memory: lines are kept in chunks of CHUNK_LINES; a full
// chunk is zlib-compressed (access-log lines shrink ~6-10x), so 1M access lines of ~200 bytes take ~25-40 MB
// instead of ~200 MB. The oldest whole chunk is dropped once `capacity` lines remain without it.
//
// Thread-safe. append() is called on proxy workers and the control thread: it takes the mutex for a string
// append; the thread that fills a chunk compresses it outside the lock. linesSince() decompresses outside the
// lock too (the last decompressed chunk is cached). Owned by the LocalController (shared_ptr).
class LineLog {
public:
    static constexpr std::size_t CHUNK_LINES = 1024;
    static constexpr std::size_t DEFAULT_CAPACITY = 1000000;
    explicit LineLog(std::size_t capacity = DEFAULT_CAPACITY);
    ~LineLog();

    // Appends one line (newlines inside are replaced by spaces). Returns its id (first id is 1).
    std::uint64_t append(std::string_view line);
    // Appends one line with machine-readable side data that readers get in LineBatch::meta but that is not part
    // of the line (the CLI prints lines only). Kept in the same compressed chunk after a '\x1f' separator, so a
    // few repetitive fields cost a few bytes per line. '\x1f', '\n' and '\r' inside either become spaces.
    std::uint64_t append(std::string_view line, std::string_view meta);

    // Lines with id > lastId, oldest first, at most maxCount. If lastId fell out of the buffer, starts at the
    // oldest line still held (the gap is visible as firstId > lastId + 1).
    LineBatch linesSince(std::uint64_t lastId, std::size_t maxCount = 10000) const;

    std::uint64_t lastId() const;   // 0 when empty
    std::uint64_t firstId() const;  // oldest id held, 0 when empty
    std::size_t size() const;       // lines held
    std::size_t capacity() const { return m_capacity; }
    std::size_t storedBytes() const;  // payload bytes held (compressed + raw), for the memory bound

private:
    struct Chunk {
        std::uint64_t firstId = 0;
        std::size_t count = 0;
        std::string raw;           // '\n'-terminated lines while not compressed
        QByteArray compressed;     // set once compressed (raw is then empty)
        bool isCompressed = false;
    };
    using ChunkPtr = std::shared_ptr<Chunk>;
    void compressChunk(const ChunkPtr& chunk);
    static std::vector<std::string> splitLines(const std::string& payload);
    static constexpr char META_SEPARATOR = '\x1f';

    const std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::deque<ChunkPtr> m_chunks;  // guarded by m_mutex; the last one is the open (raw) chunk
    std::uint64_t m_nextId = 1;     // guarded by m_mutex
    std::size_t m_size = 0;         // guarded by m_mutex
    std::size_t m_bytes = 0;        // guarded by m_mutex

    // Last decompressed chunk (readers pull sequentially, so one entry avoids most re-decompression).
    mutable std::mutex m_cacheMutex;
    mutable std::uint64_t m_cacheFirstId = 0;                           // guarded by m_cacheMutex
    mutable std::shared_ptr<const std::vector<std::string>> m_cacheLines;  // guarded by m_cacheMutex
};

}  // namespace ilab::events
