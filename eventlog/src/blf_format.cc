#include "packtwin/eventlog/blf_format.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>

#include <ctime>
#include "packtwin/eventlog/can_dlc.h"

namespace packtwin::eventlog {
namespace {

constexpr size_t kFileHeaderMinBytes = 72;    // up to the end of the start and stop SYSTEMTIMEs
constexpr size_t kFileHeaderMaxBytes = 4096;
constexpr size_t kStartTimeOffset = 40;
constexpr size_t kBaseHeaderBytes = 16;       // "LOBJ", header size, header version, object size, type
constexpr size_t kContainerHeaderBytes = 16;  // method, 6 reserved, uncompressed size, 4 reserved
constexpr uint32_t kMaxObjectBytes = 16u << 20;
constexpr uint32_t kMaxUncompressedBytes = 16u << 20;
constexpr uint32_t kCanMessage = 1;
constexpr uint32_t kLogContainer = 10;
constexpr uint32_t kCanErrorExt = 73;
constexpr uint32_t kCanMessage2 = 86;
constexpr uint32_t kCanFdMessage = 100;
constexpr uint32_t kCanFdMessage64 = 101;
constexpr uint16_t kStored = 0;
constexpr uint16_t kZlib = 2;
constexpr uint32_t kExtendedId = 0x80000000;
constexpr uint32_t kTimeTenMicros = 1;

uint16_t U16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | (static_cast<uint8_t>(b[at + 1]) << 8));
}
uint32_t U32(const std::string& b, size_t at) { return U16(b, at) | (static_cast<uint32_t>(U16(b, at + 2)) << 16); }
uint64_t U64(const std::string& b, size_t at) { return U32(b, at) | (static_cast<uint64_t>(U32(b, at + 4)) << 32); }

// SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds.
// BLF gives no zone; read as UTC. All zero: no start time.
std::optional<int64_t> SystemTimeNs(const std::string& header, size_t at) {
  const int year = U16(header, at), month = U16(header, at + 2), day = U16(header, at + 6);
  const int hour = U16(header, at + 8), minute = U16(header, at + 10), second = U16(header, at + 12);
  const int ms = U16(header, at + 14);
  if (year == 0) return 0;
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60 || ms > 999) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000LL + ms * 1'000'000LL;
}

}  // namespace

BlfReader::BlfReader(std::FILE* file, std::string bytes, std::string name, uint64_t size)
    : file_(file), memory_(std::move(bytes)), name_(std::move(name)), file_size_(size) {}

BlfReader::~BlfReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::unique_ptr<BlfReader>> BlfReader::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::NotFound(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  std::unique_ptr<BlfReader> reader(new BlfReader(file, "", path, ec ? 0 : size));
  PACKTWIN_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Result<std::unique_ptr<BlfReader>> BlfReader::FromBytes(std::string bytes, const std::string& name) {
  const uint64_t size = bytes.size();
  std::unique_ptr<BlfReader> reader(new BlfReader(nullptr, std::move(bytes), name, size));
  PACKTWIN_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Status BlfReader::Error(const std::string& what) const {
  return Status::InvalidArgument(fmt::format("{}: byte {}: {}", name_, consumed_, what));
}

// Exactly n bytes, or false at a clean end (nothing left); a part is an error.
Result<bool> BlfReader::Read(size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  if (file_ != nullptr) {
    got = std::fread(out->data(), 1, n, file_);
  } else {
    got = std::min<uint64_t>(n, memory_.size() - consumed_);
    std::memcpy(out->data(), memory_.data() + consumed_, got);
  }
  if (got == 0 && n > 0) return false;
  if (got < n) return Error(fmt::format("the file ends inside an object ({} of {} bytes)", got, n));
  consumed_ += n;
  return true;
}

Status BlfReader::ReadHeader() {
  std::string start;
  auto read = Read(8, &start);
  if (!read.ok()) return read.status();
  if (!*read || start.compare(0, 4, "LOGG") != 0) return Error("not a BLF file (no \"LOGG\" signature)");
  const uint32_t header_bytes = U32(start, 4);
  if (header_bytes < kFileHeaderMinBytes || header_bytes > kFileHeaderMaxBytes) {
    return Error(fmt::format("a header of {} bytes (a BLF header has 144)", header_bytes));
  }
  std::string rest;
  read = Read(header_bytes - 8, &rest);
  if (!read.ok()) return read.status();
  if (!*read) return Error("the file ends inside its header");
  const std::string header = start + rest;
  auto start_ns = SystemTimeNs(header, kStartTimeOffset);
  if (!start_ns) return Error("the header's start time is not a date");
  start_ns_ = *start_ns;
  return Status::Ok();
}

// The next top-level object; containers add their objects to the buffer.
Result<bool> BlfReader::NextContainer() {
  while (true) {
    std::string base;
    auto read = Read(kBaseHeaderBytes, &base);
    if (!read.ok() || !*read) return read;
    if (base.compare(0, 4, "LOBJ") != 0) return Error("expected an object (\"LOBJ\")");
    const uint32_t size = U32(base, 8);
    const uint32_t type = U32(base, 12);
    if (size < kBaseHeaderBytes || size > kMaxObjectBytes) return Error(fmt::format("an object of {} bytes", size));
    std::string body;
    read = Read(size - kBaseHeaderBytes + size % 4, &body);  // objects are padded to 4 bytes
    if (!read.ok()) return read.status();
    if (!*read && size > kBaseHeaderBytes) return Error("the file ends inside an object");
    body.resize(size - kBaseHeaderBytes);
    if (type != kLogContainer) {
      ++skipped_;
      continue;
    }
    if (body.size() < kContainerHeaderBytes) return Error("a container too short for its header");
    const uint16_t method = U16(body, 0);
    const uint32_t uncompressed = U32(body, 8);
    const char* data = body.data() + kContainerHeaderBytes;
    const size_t data_bytes = body.size() - kContainerHeaderBytes;
    buffer_.erase(0, pos_);
    pos_ = 0;
    if (method == kStored) {
      buffer_.append(data, data_bytes);
    } else if (method == kZlib) {
      if (uncompressed > kMaxUncompressedBytes) return Error(fmt::format("a container of {} bytes uncompressed", uncompressed));
      const size_t old = buffer_.size();
      buffer_.resize(old + uncompressed);
      uLongf out_bytes = uncompressed;
      const int z = uncompress(reinterpret_cast<Bytef*>(buffer_.data() + old), &out_bytes,
                               reinterpret_cast<const Bytef*>(data), static_cast<uLong>(data_bytes));
      if (z != Z_OK || out_bytes != uncompressed) return Error("a container whose zlib data does not inflate to its size");
    } else {
      return Error(fmt::format("a container compressed by method {} (BLF uses 0 or 2)", method));
    }
    return true;
  }
}

Result<bool> BlfReader::ParseObject(BlfFrame* out, bool* produced) {
  *produced = false;
  // Objects inside containers may be padded: the next one starts within 4 bytes.
  size_t at = buffer_.find("LOBJ", pos_);
  if (at == std::string::npos || at > pos_ + 4) {
    if (buffer_.size() - pos_ < kBaseHeaderBytes) return false;  // the rest comes with the next container
    return Error("expected an object (\"LOBJ\") inside a container");
  }
  if (buffer_.size() - at < kBaseHeaderBytes) return false;
  const uint16_t header_version = U16(buffer_, at + 6);
  const uint32_t size = U32(buffer_, at + 8);
  const uint32_t type = U32(buffer_, at + 12);
  if (size < kBaseHeaderBytes || size > kMaxObjectBytes) return Error(fmt::format("an object of {} bytes", size));
  if (buffer_.size() - at < size) return false;  // continues in the next container
  pos_ = at + size;
  const size_t header_bytes = header_version == 1 ? 16 : header_version == 2 ? 24 : 0;
  if (header_bytes == 0 || size < kBaseHeaderBytes + header_bytes) {
    ++skipped_;
    return true;
  }
  const size_t h = at + kBaseHeaderBytes;
  const uint32_t flags = U32(buffer_, h);
  const uint64_t stamp = U64(buffer_, h + 8);  // at the same place in both header versions
  const size_t p = h + header_bytes;  // the object's own fields
  const size_t room = at + size - p;
  const uint64_t unit_ns = flags == kTimeTenMicros ? 10'000 : 1;
  if (stamp > static_cast<uint64_t>(INT64_MAX - (start_ns_ > 0 ? start_ns_ : 0)) / unit_ns) {
    return Error("an object time beyond the year 2262");
  }
  out->time_ns = start_ns_ + static_cast<int64_t>(stamp * unit_ns);
  v1::CanFrame& f = out->frame;
  f.Clear();
  auto id_of = [&f](uint32_t raw) {
    f.set_extended((raw & kExtendedId) != 0);
    f.set_id(raw & (f.extended() ? 0x1FFFFFFFu : 0x7FFu));
  };
  auto channel_of = [&f](uint32_t channel) { f.set_channel("can" + std::to_string(channel > 0 ? channel - 1 : 0)); };
  if ((type == kCanMessage || type == kCanMessage2) && room >= 16) {
    channel_of(U16(buffer_, p));
    const uint8_t msg_flags = static_cast<uint8_t>(buffer_[p + 2]);
    const uint32_t dlc = static_cast<uint8_t>(buffer_[p + 3]) & 0x0F;
    id_of(U32(buffer_, p + 4));
    f.set_direction((msg_flags & 0x01) != 0 ? v1::DIRECTION_TX : v1::DIRECTION_RX);
    f.set_rtr((msg_flags & 0x80) != 0);
    f.set_dlc(dlc);
    if (!f.rtr()) f.set_data(buffer_.substr(p + 8, ClassicDlcToLen(dlc)));
  } else if (type == kCanErrorExt && room >= 32) {
    channel_of(U16(buffer_, p));
    const uint32_t dlc = std::min<uint32_t>(static_cast<uint8_t>(buffer_[p + 10]), 8);
    f.set_error(true);
    f.set_dlc(dlc);
    f.set_data(buffer_.substr(p + 24, dlc));
  } else if (type == kCanFdMessage && room >= 84) {
    channel_of(U16(buffer_, p));
    const uint8_t msg_flags = static_cast<uint8_t>(buffer_[p + 2]);
    const uint32_t dlc = static_cast<uint8_t>(buffer_[p + 3]) & 0x0F;
    id_of(U32(buffer_, p + 4));
    const uint8_t fd_flags = static_cast<uint8_t>(buffer_[p + 13]);
    const uint32_t valid = std::min<uint32_t>(static_cast<uint8_t>(buffer_[p + 14]), kFdMaxLen);
    f.set_direction((msg_flags & 0x01) != 0 ? v1::DIRECTION_TX : v1::DIRECTION_RX);
    f.set_rtr((msg_flags & 0x80) != 0);
    f.set_fd((fd_flags & 0x1) != 0);
    if (f.fd()) f.set_fd_flags(((fd_flags & 0x2) != 0 ? 1u : 0u) | ((fd_flags & 0x4) != 0 ? 2u : 0u));
    f.set_dlc(dlc);
    if (!f.rtr()) f.set_data(buffer_.substr(p + 20, std::min(valid, f.fd() ? FdDlcToLen(dlc) : ClassicDlcToLen(dlc))));
  } else if (type == kCanFdMessage64 && room >= 40) {
    channel_of(static_cast<uint8_t>(buffer_[p]));
    const uint32_t dlc = static_cast<uint8_t>(buffer_[p + 1]) & 0x0F;
    const uint32_t valid = std::min<uint32_t>(static_cast<uint8_t>(buffer_[p + 2]), kFdMaxLen);
    id_of(U32(buffer_, p + 4));
    const uint32_t fd_flags = U32(buffer_, p + 12);
    f.set_direction(buffer_[p + 34] != 0 ? v1::DIRECTION_TX : v1::DIRECTION_RX);
    f.set_rtr((fd_flags & 0x0010) != 0);
    f.set_fd((fd_flags & 0x1000) != 0);
    if (f.fd()) f.set_fd_flags(((fd_flags & 0x2000) != 0 ? 1u : 0u) | ((fd_flags & 0x4000) != 0 ? 2u : 0u));
    f.set_dlc(dlc);
    if (!f.rtr()) f.set_data(buffer_.substr(p + 40, std::min<size_t>(valid, room - 40)));
  } else {
    ++skipped_;
    return true;
  }
  *produced = true;
  return true;
}

Result<bool> BlfReader::Next(BlfFrame* out) {
  while (true) {
    bool produced = false;
    auto parsed = ParseObject(out, &produced);
    if (!parsed.ok()) return parsed.status();
    if (produced) return true;
    if (*parsed) continue;  // an object was skipped
    auto more = NextContainer();
    if (!more.ok()) return more.status();
    if (!*more) {
      if (buffer_.size() - pos_ >= kBaseHeaderBytes) return Error("the file ends inside an object of its last container");
      return false;
    }
  }
}

}  // namespace packtwin::eventlog
