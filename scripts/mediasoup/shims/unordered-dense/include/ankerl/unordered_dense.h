// Stand-in for ankerl::unordered_dense (not packaged in Debian), covering what mediasoup uses:
// `map`, `set` and `hash`. The containers are the standard ones. They do not keep insertion order
// as the real ones do, and mediasoup does not depend on that; their iterators are invalidated
// less often, so nothing that is correct with the real containers breaks with these.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace ankerl::unordered_dense {

// std::hash of an integer is the identity on libstdc++; mediasoup combines these values with
// HashCombine, so mix the bits (splitmix64 finalizer) the way the real, avalanching hash does.
template <class T, class Enable = void>
struct hash {
	using is_avalanching = void;

	std::uint64_t operator()(const T& value) const noexcept
	{
		auto x = static_cast<std::uint64_t>(std::hash<T>{}(value));
		x      = (x ^ (x >> 30U)) * UINT64_C(0xbf58476d1ce4e5b9);
		x      = (x ^ (x >> 27U)) * UINT64_C(0x94d049bb133111eb);
		return x ^ (x >> 31U);
	}
};

template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
using map = std::unordered_map<Key, T, Hash, KeyEqual>;

template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
using set = std::unordered_set<Key, Hash, KeyEqual>;

} // namespace ankerl::unordered_dense
