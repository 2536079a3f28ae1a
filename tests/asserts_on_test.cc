// Assertions run in the tests: a state the code calls a bug stops the
// program here as it would in the field, instead of passing silently.
#include <gtest/gtest.h>

#include "packtwin/eventlog/event_hash.h"
#include "packtwin/firmware/node_table.h"

namespace packtwin {
namespace {

TEST(Asserts, TestBuildsKeepAssertionsOn) {
#ifdef NDEBUG
  FAIL() << "this test build defines NDEBUG: asserts are compiled out (configure with PACKTWIN_ASSERTS=ON)";
#else
  SUCCEED();
#endif
}

TEST(Asserts, ADecodedIdOutsideTheNodeTableStopsTheProgram) {
  firmware::NodeTable table{};
  const uint8_t node = 200;  // no decoder hands this on
  EXPECT_DEATH((void)firmware::EntryOf(table, node), "a decoded node id is always within the node table");
}

TEST(Asserts, Sha256IsCheckedAtStartUpNotAsserted) {
  EXPECT_TRUE(eventlog::Sha256Available().ok());
}

}  // namespace
}  // namespace packtwin
