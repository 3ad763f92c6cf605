#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ilab {

// Error side of a Result: a typed code (an enum class per subsystem) and a human message.
template <class E>
struct Error {
    E code{};
    std::string message;
};

// Minimal expected-style result (style.md D.14) until std::expected is available everywhere.
template <class T, class E = int>
class Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error<E> err) : m_v(std::in_place_index<1>, std::move(err)) {}  // NOLINT

    static Result fail(E code, std::string message) { return Result(Error<E>{code, std::move(message)}); }

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const Error<E>& error() const { return std::get<1>(m_v); }
    const std::string& message() const { return error().message; }

private:
    std::variant<T, Error<E>> m_v;
};

}  // namespace ilab
