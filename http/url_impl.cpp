// The one translation unit that compiles Boost.URL (its header-only mode: every other
// file includes only its headers).
#include <boost/url/src.hpp>
