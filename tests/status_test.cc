// Status carries a code beside its message, so callers decide on the code.
#include "packtwin/base/status.h"

#include <gtest/gtest.h>

namespace packtwin {
namespace {

TEST(Status, EachFactoryCarriesItsCode) {
  EXPECT_EQ(Status::Ok().code(), StatusCode::kOk);
  EXPECT_EQ(Status::InvalidArgument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Status::NotFound("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::IoError("x").code(), StatusCode::kIoError);
  EXPECT_EQ(Status::Corruption("x").code(), StatusCode::kCorruption);
  EXPECT_EQ(Status::Closed("x").code(), StatusCode::kClosed);
  EXPECT_EQ(Status::Failed("x").code(), StatusCode::kFailed);
  EXPECT_TRUE(Status::Closed("the connection closed").IsClosed());
  EXPECT_FALSE(Status::IoError("closed").IsClosed()) << "the code decides, never the wording";
}

TEST(Status, ContextKeepsTheCode) {
  const Status status = Status::Corruption("seq 7 changed").Context("site.db: ");
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(), "site.db: seq 7 changed");
  EXPECT_TRUE(Status::Ok().Context("x: ").ok());
}

TEST(Status, AResultCarriesTheErrorItWasGiven) {
  Result<int> failed = Status::NotFound("site.db: no such file");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
  Result<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
}

}  // namespace
}  // namespace packtwin
