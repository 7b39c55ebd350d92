// The compiled bodies of Asio, Asio's SSL support and Beast, instantiated once for the whole
// program (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION): every other
// translation unit only parses declarations, which keeps rebuilds fast on small machines.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
