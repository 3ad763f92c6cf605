#include "core/tls/certificate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <QByteArray>
#include <QStandardPaths>

namespace ilab::tls {

namespace {

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Free { void operator()(X509* x) const { X509_free(x); } };
struct PkeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct BnFree { void operator()(BIGNUM* b) const { BN_free(b); } };
struct GensFree { void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); } };
struct ExtFree { void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using GensPtr = std::unique_ptr<GENERAL_NAMES, GensFree>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtFree>;

// OpenSSL keeps a per-thread error queue. Whatever we leave there would be picked up by the next
// unrelated OpenSSL call on this thread (the proxy's TLS code), so every entry point drains it.
struct ErrorQueueGuard {
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

// Never prompts for a passphrase (an encrypted key is reported as BadKey instead).
int noPassphrase(char*, int, int, void*) { return -1; }

BioPtr memBio(const std::string& s) {
    if (s.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
    return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

std::string bioToString(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// `openssl x509 -text` (OpenSSL 3) prints names with the "oneline" options but keeps UTF-8 as is.
std::string nameToString(const X509_NAME* name) {
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || !name) return {};
    const unsigned long flags = (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
    X509_NAME_print_ex(out.get(), name, 0, flags);
    return bioToString(out.get());
}

std::string asn1ToUtf8(const ASN1_STRING* s) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0 || !utf8) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return out;
}

std::string lastCommonName(const X509_NAME* name) {
    int idx = -1, last = -1;
    while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0) last = idx;
    if (last < 0) return {};
    return asn1ToUtf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
}

std::int64_t toUnix(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string ipToString(const ASN1_OCTET_STRING* ip) {
    const unsigned char* p = ASN1_STRING_get0_data(ip);
    int len = ASN1_STRING_length(ip);
    char buf[INET6_ADDRSTRLEN] = {};
    if (len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf)) return buf;
    if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf)) return buf;
    return {};
}

std::string hexColon(const unsigned char* p, unsigned n) {
    static const char* HEX = "0123456789ABCDEF";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        if (i) out += ':';
        out += HEX[p[i] >> 4];
        out += HEX[p[i] & 0xF];
    }
    return out;
}

bool containsBlock(const std::string& pem, const char* what) { return pem.find(what) != std::string::npos; }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string normalizeHost(std::string h) {
    h = lower(std::move(h));
    if (!h.empty() && h.back() == '.') h.pop_back();
    return h;
}

bool isIpLiteral(const std::string& h, unsigned char* out = nullptr, int* len = nullptr) {
    unsigned char buf[16];
    unsigned char* b = out ? out : buf;
    if (inet_pton(AF_INET, h.c_str(), b) == 1) { if (len) *len = 4; return true; }
    if (inet_pton(AF_INET6, h.c_str(), b) == 1) { if (len) *len = 16; return true; }
    return false;
}

// RFC 6125 §6.4.3 restricted the way Go and browsers apply it: "*" only as the entire left-most label,
// matching exactly one non-empty label, and never a bare "*" or "*.tld"-less pattern.
bool dnsPatternMatches(const std::string& patternIn, const std::string& host) {
    std::string pattern = normalizeHost(patternIn);
    if (pattern.empty() || host.empty()) return false;
    if (pattern.rfind("*.", 0) == 0) {
        std::string rest = pattern.substr(1);  // ".example.com"
        if (rest.find('*') != std::string::npos || rest.find('.', 1) == std::string::npos) return false;
        auto dot = host.find('.');
        if (dot == std::string::npos || dot == 0) return false;
        return host.substr(dot) == rest;
    }
    if (pattern.find('*') != std::string::npos) return false;
    return pattern == host;
}

Error<CertError> fail(CertError code, std::string message) { return Error<CertError>{code, std::move(message)}; }

bool addSan(GENERAL_NAMES* gens, const std::string& name) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    if (!gen) return false;
    unsigned char ip[16];
    int ipLen = 0;
    if (isIpLiteral(name, ip, &ipLen)) {
        ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
        if (!os || !ASN1_OCTET_STRING_set(os, ip, ipLen)) { ASN1_OCTET_STRING_free(os); GENERAL_NAME_free(gen); return false; }
        GENERAL_NAME_set0_value(gen, GEN_IPADD, os);
    } else {
        ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
        if (!ia5 || !ASN1_STRING_set(ia5, name.data(), static_cast<int>(name.size()))) {
            ASN1_IA5STRING_free(ia5);
            GENERAL_NAME_free(gen);
            return false;
        }
        GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
    }
    if (!sk_GENERAL_NAME_push(gens, gen)) { GENERAL_NAME_free(gen); return false; }
    return true;
}

bool addConfExtension(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(x, ext.get(), -1) == 1;
}

bool looksLikeHostName(const std::string& s) {
    if (s.empty() || s.size() > 253) return false;
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '-' || c == '.' || c == '*')) return false;
    return true;
}

struct BuildSpec {
    std::string commonName, organization;
    std::vector<std::string> sans;
    bool rsa = true;
    int validityDays = 365;
    std::int64_t notBefore = 0;
    bool isCa = true;  // openssl req -x509 (v3_ca) vs. the controller's leaf certificate
    bool labKey = false;  // reuse the lab's cached RSA key instead of generating one
};

PkeyPtr readPrivateKey(const QByteArray& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    if (!bio) return PkeyPtr();
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string quoted(const std::string& path) { return "'" + path + "'"; }

std::string errnoText(int err) { return std::strerror(err); }

// Creates the missing folders of `dir` with mode 0700 whatever the umask (XDG base directories: "created with
// permission 0700"); an existing key folder of ours is tightened to 0700. Returns an error message or "".
std::string makePrivateDir(const std::string& dir) {
    std::string prefix;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        prefix = dir.substr(0, pos);
        if (prefix.empty()) continue;
        if (::mkdir(prefix.c_str(), 0700) == 0) {
            if (::chmod(prefix.c_str(), 0700) != 0)
                return "cannot make the folder " + quoted(prefix) + " private: " + errnoText(errno);
        } else if (errno != EEXIST) {
            return "cannot create the folder " + quoted(prefix) + ": " + errnoText(errno);
        }
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return quoted(dir) + " is not a folder";
    if (st.st_uid == ::geteuid() && (st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
        return "cannot make the folder " + quoted(dir) + " private: " + errnoText(errno);
    return {};
}

// Reads the key file without following a link at its path and only when it is private. `*pem` stays empty
// when there is no file yet. Returns an error message (the file is then neither used nor replaced) or "".
std::string readPrivateKeyFile(const std::string& path, QByteArray* pem) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) return {};
        struct stat lst {};
        if (err == ELOOP || (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)))
            return "refusing the lab key file " + path + ": it is a symbolic link (the lab never reads or writes its key "
                   "through a link); remove it (rm " + quoted(path) + ") and a new key is made";
        return "cannot read the lab key file " + path + ": " + errnoText(err);
    }
    struct FdClose { int fd; ~FdClose() { ::close(fd); } } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return "cannot read the lab key file " + path + ": " + errnoText(errno);
    if (!S_ISREG(st.st_mode))
        return "refusing the lab key file " + path + ": it is not a regular file; remove it (rm " + quoted(path) + ")";
    if (st.st_uid != ::geteuid())
        return "refusing the lab key file " + path + ": it belongs to another user (uid " + std::to_string(st.st_uid) +
               "); remove it (rm " + quoted(path) + ") and a new key is made";
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return "refusing the lab key file " + path + ": it is readable or writable by group or others (mode " + mode +
               "); fix it with: chmod 600 " + quoted(path);
    }
    char buf[64 * 1024];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return "cannot read the lab key file " + path + ": " + errnoText(errno);
    pem->append(buf, static_cast<qsizetype>(n));
    OPENSSL_cleanse(buf, sizeof buf);
    return {};
}

// Writes the key next to its final name (mkstemp: 0600, O_EXCL) and renames it over `path`: a link that
// appears at `path` meanwhile is replaced, never written through. Returns an error message or "".
std::string writePrivateKeyFile(const std::string& path, const std::string& pem) {
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return "cannot write the lab key file " + path + ": " + errnoText(errno);
    bool ok = ::fchmod(fd, 0600) == 0;
    for (std::size_t done = 0; ok && done < pem.size();) {
        const ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int err = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errnoText(ok ? errno : err);
        ::unlink(tmp.c_str());
        return "cannot write the lab key file " + path + ": " + why;
    }
    return {};
}

// The lab's RSA 2048 key: generating one costs 0.1-2 s of CPU (prime search), which every `serve` start and
// every lesson load would pay. Kept in memory for the process and on disk for the next ones, in
// $XDG_CACHE_HOME/ingress-lab/lab-rsa-key.pem. It signs the fake controller certificate, so the file is
// private: its folder is made 0700, the file is written 0600 (atomic rename), a symbolic link at its path or a
// file others can read is refused with a message saying how to fix it (never used, never overwritten). Only
// throwaway lab certificates use it (the fake controller certificate, lesson Secrets); a certificate the user
// asks for always gets a fresh key.
Result<PkeyPtr, CertError> labRsaKey() {
    static std::mutex mutex;
    static std::string cachedPath, cachedPem;
    std::lock_guard lock(mutex);
    const std::string dir =
        (QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + QStringLiteral("/ingress-lab")).toStdString();
    const std::string path = dir + "/lab-rsa-key.pem";
    if (!cachedPem.empty() && cachedPath == path) return readPrivateKey(QByteArray::fromStdString(cachedPem));
    if (std::string error = makePrivateDir(dir); !error.empty())
        return fail(CertError::GenerationFailed, "lab key folder: " + error);
    QByteArray pem;
    if (std::string error = readPrivateKeyFile(path, &pem); !error.empty()) return fail(CertError::GenerationFailed, error);
    if (!pem.isEmpty()) {
        PkeyPtr key = readPrivateKey(pem);
        if (key && EVP_PKEY_get_id(key.get()) == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.get()) >= 2048) {
            cachedPath = path;
            cachedPem = pem.toStdString();
            return key;
        }
        // not a usable key (corrupt, truncated): our own private file, replaced below
    }
    PkeyPtr key(EVP_RSA_gen(2048));
    if (!key) return fail(CertError::GenerationFailed, "key generation failed");
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return fail(CertError::GenerationFailed, "PEM encoding failed");
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    std::string generated(data, static_cast<std::size_t>(n));
    OPENSSL_cleanse(data, static_cast<std::size_t>(n));
    // Without a writable cache the key still serves this process; the next one generates again.
    (void)writePrivateKeyFile(path, generated);
    cachedPath = path;
    cachedPem = std::move(generated);
    return key;
}

Result<KeyPairPem, CertError> build(const BuildSpec& spec) {
    ErrorQueueGuard guard;
    if (spec.validityDays <= 0 || spec.validityDays > 36500)
        return fail(CertError::GenerationFailed, "validity must be between 1 and 36500 days");
    if (spec.commonName.empty() && spec.sans.empty())
        return fail(CertError::GenerationFailed, "a certificate needs a common name or at least one DNS name");
    for (const auto& s : spec.sans)
        if (s.empty() || s.size() > 253) return fail(CertError::GenerationFailed, "invalid DNS name \"" + s + "\"");

    PkeyPtr key;
    if (spec.rsa && spec.labKey) {
        auto lab = labRsaKey();
        if (!lab) return lab.error();
        key = std::move(*lab);
    } else {
        key.reset(spec.rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
    }
    if (!key) return fail(CertError::GenerationFailed, "key generation failed");
    X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), 2) != 1) return fail(CertError::GenerationFailed, "out of memory");

    BnPtr serial(BN_new());  // 159 random bits: positive and at most 20 octets, as `openssl req -x509`
    if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get())))
        return fail(CertError::GenerationFailed, "serial number generation failed");

    time_t start = static_cast<time_t>(spec.notBefore);
    if (!X509_time_adj_ex(X509_getm_notBefore(x.get()), 0, 0, &start) ||
        !X509_time_adj_ex(X509_getm_notAfter(x.get()), spec.validityDays, 0, &start))
        return fail(CertError::GenerationFailed, "cannot set the validity period");

    X509_NAME* name = X509_get_subject_name(x.get());
    auto addEntry = [&](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                          static_cast<int>(value.size()), -1, 0) == 1;
    };
    if (!spec.organization.empty() && !addEntry("O", spec.organization))
        return fail(CertError::GenerationFailed, "invalid organization (at most 64 characters)");
    if (!spec.commonName.empty() && !addEntry("CN", spec.commonName))
        return fail(CertError::GenerationFailed, "invalid common name (at most 64 characters)");
    if (X509_set_issuer_name(x.get(), name) != 1 || X509_set_pubkey(x.get(), key.get()) != 1)
        return fail(CertError::GenerationFailed, "cannot set the names");

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
    bool extOk = true;
    if (spec.isCa) {
        extOk = addConfExtension(x.get(), &ctx, NID_subject_key_identifier, "hash") &&
                addConfExtension(x.get(), &ctx, NID_authority_key_identifier, "keyid:always") &&
                addConfExtension(x.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    } else {
        extOk = addConfExtension(x.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
                addConfExtension(x.get(), &ctx, NID_ext_key_usage, "serverAuth") &&
                addConfExtension(x.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    }
    if (!extOk) return fail(CertError::GenerationFailed, "cannot add the X.509 extensions");
    if (!spec.sans.empty()) {
        GensPtr gens(sk_GENERAL_NAME_new_null());
        if (!gens) return fail(CertError::GenerationFailed, "out of memory");
        for (const auto& s : spec.sans)
            if (!addSan(gens.get(), s)) return fail(CertError::GenerationFailed, "invalid subject alternative name \"" + s + "\"");
        if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) != 1)
            return fail(CertError::GenerationFailed, "cannot add the subject alternative names");
    }
    if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0) return fail(CertError::GenerationFailed, "signing failed");

    BioPtr certOut(BIO_new(BIO_s_mem()));
    BioPtr keyOut(BIO_new(BIO_s_mem()));
    if (!certOut || !keyOut || PEM_write_bio_X509(certOut.get(), x.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return fail(CertError::GenerationFailed, "PEM encoding failed");
    KeyPairPem pair{bioToString(certOut.get()), bioToString(keyOut.get())};
    // The private key lived in BIO memory; wipe it before the BIO frees it.
    char* data = nullptr;
    long n = BIO_get_mem_data(keyOut.get(), &data);
    if (n > 0 && data) OPENSSL_cleanse(data, static_cast<std::size_t>(n));
    return pair;
}

}  // namespace

const char* toString(CertError e) {
    switch (e) {
    case CertError::NoCertificate: return "no certificate";
    case CertError::BadPem: return "malformed PEM certificate";
    case CertError::BadKey: return "malformed or encrypted private key";
    case CertError::KeyMismatch: return "private key does not match the certificate";
    case CertError::GenerationFailed: return "certificate generation failed";
    }
    return "certificate error";
}

Result<CertificateInfo, CertError> inspectCertificate(const std::string& pemCert, const std::string& pemKey) {
    ErrorQueueGuard guard;
    if (!containsBlock(pemCert, "-----BEGIN CERTIFICATE-----") && !containsBlock(pemCert, "-----BEGIN X509 CERTIFICATE-----") &&
        !containsBlock(pemCert, "-----BEGIN TRUSTED CERTIFICATE-----"))
        return fail(CertError::NoCertificate, "no PEM certificate (-----BEGIN CERTIFICATE-----) found");
    BioPtr in = memBio(pemCert);
    if (!in) return fail(CertError::BadPem, "certificate data too large");
    X509Ptr x(PEM_read_bio_X509_AUX(in.get(), nullptr, noPassphrase, nullptr));
    if (!x) return fail(CertError::BadPem, "the PEM certificate block cannot be decoded as X.509");

    CertificateInfo info;
    const X509_NAME* subject = X509_get_subject_name(x.get());
    info.subject = nameToString(subject);
    info.issuer = nameToString(X509_get_issuer_name(x.get()));
    info.commonName = lastCommonName(subject);
    info.notBefore = toUnix(X509_get0_notBefore(x.get()));
    info.notAfter = toUnix(X509_get0_notAfter(x.get()));
    info.isSelfSigned = X509_self_signed(x.get(), 1) == 1;

    if (auto* gens = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr))) {
        GensPtr owned(gens);
        for (int i = 0; i < sk_GENERAL_NAME_num(gens); ++i) {
            const GENERAL_NAME* g = sk_GENERAL_NAME_value(gens, i);
            if (g->type == GEN_DNS) info.dnsNames.push_back(asn1ToUtf8(g->d.dNSName));
            else if (g->type == GEN_IPADD) {
                std::string ip = ipToString(g->d.iPAddress);
                if (!ip.empty()) info.ipAddresses.push_back(ip);
            }
        }
    }

    if (EVP_PKEY* pub = X509_get0_pubkey(x.get())) {
        int id = EVP_PKEY_get_base_id(pub);
        if (id == EVP_PKEY_RSA) info.keyType = "RSA";
        else if (id == EVP_PKEY_EC) info.keyType = "EC";
        else if (const char* sn = OBJ_nid2sn(id)) info.keyType = sn;
        info.keyBits = EVP_PKEY_get_bits(pub);
    }

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    if (X509_digest(x.get(), EVP_sha256(), md, &mdLen) == 1) info.sha256Fingerprint = hexColon(md, mdLen);
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x.get()), nullptr)) {
        BnPtr owned(bn);
        if (char* hex = BN_bn2hex(bn)) {
            info.serial = hex;
            OPENSSL_free(hex);
        }
    }

    if (!pemKey.empty()) {
        if (!containsBlock(pemKey, "PRIVATE KEY-----"))
            return fail(CertError::BadKey, "no PEM private key (-----BEGIN PRIVATE KEY-----) found");
        BioPtr keyIn = memBio(pemKey);
        PkeyPtr key(keyIn ? PEM_read_bio_PrivateKey(keyIn.get(), nullptr, noPassphrase, nullptr) : nullptr);
        if (!key) return fail(CertError::BadKey, "the private key cannot be decoded (malformed, or encrypted with a passphrase)");
        info.keyMatches = X509_check_private_key(x.get(), key.get()) == 1;
    }
    return info;
}

bool certificateCovers(const CertificateInfo& info, const std::string& hostIn) {
    const std::string host = normalizeHost(hostIn);
    if (host.empty()) return false;
    unsigned char want[16];
    int wantLen = 0;
    if (isIpLiteral(host, want, &wantLen)) {
        for (const auto& ip : info.ipAddresses) {
            unsigned char have[16];
            int haveLen = 0;
            if (isIpLiteral(ip, have, &haveLen) && haveLen == wantLen && std::equal(want, want + wantLen, have)) return true;
        }
        return false;
    }
    for (const auto& name : info.dnsNames)
        if (dnsPatternMatches(name, host)) return true;
    if (info.dnsNames.empty() && info.ipAddresses.empty() && !info.commonName.empty())
        return dnsPatternMatches(info.commonName, host);
    return false;
}

Result<KeyPairPem, CertError> generateSelfSigned(const SelfSignedRequest& request) {
    BuildSpec spec;
    spec.commonName = request.commonName;
    spec.organization = request.organization;
    spec.sans = request.dnsNames;
    if (spec.sans.empty() && looksLikeHostName(request.commonName)) spec.sans.push_back(request.commonName);
    spec.rsa = request.keyType == SelfSignedRequest::KeyType::Rsa2048;
    spec.labKey = request.labKey;
    spec.validityDays = request.validityDays;
    spec.notBefore = request.notBefore.value_or(static_cast<std::int64_t>(std::time(nullptr)));
    spec.isCa = true;
    return build(spec);
}

Result<KeyPairPem, CertError> generateFakeControllerCertificate() {
    BuildSpec spec;
    spec.commonName = FAKE_CERTIFICATE_CN;
    spec.organization = "Acme Co";
    spec.sans = {"ingress.local"};
    spec.rsa = true;
    spec.labKey = true;
    spec.validityDays = 365;
    spec.notBefore = static_cast<std::int64_t>(std::time(nullptr));
    spec.isCa = false;
    return build(spec);
}

}  // namespace ilab::tls
