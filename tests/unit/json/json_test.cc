// Tests of the JSON DOM: exact numbers, UTF-8 and depth checks, error offsets, emission layout.
#include "spec/json.h"

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::json {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Value MustParse(std::string_view text) {
  auto v = Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " for " << text;
  return v.ok() ? *v : Value();
}

TEST(JsonParse, ScalarsHaveTheirTypes) {
  EXPECT_TRUE(MustParse("null").is_null());
  EXPECT_EQ(MustParse("true").as_bool(), true);
  EXPECT_EQ(MustParse("false").as_bool(), false);
  EXPECT_EQ(MustParse("\"x\"").as_string(), "x");
  EXPECT_EQ(MustParse("12").type(), Type::kInt);
  EXPECT_EQ(MustParse("1.5").type(), Type::kDouble);
  EXPECT_EQ(MustParse("1e3").type(), Type::kDouble);
  EXPECT_DOUBLE_EQ(MustParse("-2.5e-3").as_double(), -2.5e-3);
}

TEST(JsonParse, IntegersKeepFull64BitRange) {
  Value max_u = MustParse("18446744073709551615");
  ASSERT_EQ(max_u.type(), Type::kUint);
  EXPECT_EQ(*max_u.as_uint64(), UINT64_MAX);
  EXPECT_FALSE(max_u.as_int64().has_value());

  Value min_i = MustParse("-9223372036854775808");
  ASSERT_EQ(min_i.type(), Type::kInt);
  EXPECT_EQ(*min_i.as_int64(), INT64_MIN);
  EXPECT_FALSE(min_i.as_uint64().has_value());

  Value max_i = MustParse("9223372036854775807");
  EXPECT_EQ(*max_i.as_int64(), INT64_MAX);
  EXPECT_EQ(*max_i.as_uint64(), static_cast<uint64_t>(INT64_MAX));

  // Beyond 64 bits the number is no longer an integer.
  EXPECT_EQ(MustParse("18446744073709551616").type(), Type::kDouble);
  EXPECT_EQ(MustParse("-9223372036854775809").type(), Type::kDouble);
}

TEST(JsonParse, NumbersRoundTripExactly) {
  for (const char* text : {"18446744073709551615", "-9223372036854775808", "0", "-1", "4294967295",
                           "9223372036854775807"}) {
    EXPECT_EQ(Emit(MustParse(text)), text);
  }
}

TEST(JsonParse, ObjectsKeepInsertionOrder) {
  Value v = MustParse(R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
  ASSERT_TRUE(v.is_object());
  const Object& o = v.as_object();
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].first, "z");
  EXPECT_EQ(o[1].first, "a");
  EXPECT_EQ(o[2].first, "m");
  EXPECT_EQ(Emit(v), R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
}

TEST(JsonParse, DuplicateKeysLastWins) {
  Value v = MustParse(R"({"a":1,"b":2,"a":3})");
  ASSERT_EQ(v.as_object().size(), 2u);
  EXPECT_EQ(*v.Find("a")->as_int64(), 3);
  EXPECT_EQ(v.as_object()[0].first, "a");
}

TEST(JsonParse, ErrorsNameTheByteOffset) {
  auto v = Parse("{\"a\": tru}");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(v.status().message()), StartsWith("invalid JSON at byte "));

  auto trailing = Parse("{} x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(std::string(trailing.status().message()),
              HasSubstr("invalid JSON at byte 4: parse error: trailing garbage"));

  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "'x'", "/* c */ {}", "[1] [2]",
                          "{\"a\":1,}", "nul", "\"unterminated"}) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_THAT(std::string(r.status().message()), StartsWith("invalid JSON at byte ")) << bad;
    }
  }
}

TEST(JsonParse, InvalidUtf8IsRejected) {
  for (std::string bad : {std::string("\"\xff\""), std::string("\"\xc0\xaf\""),  // overlong '/'
                          std::string("\"\xed\xa0\x80\""),                       // surrogate
                          std::string("\"\xf4\x90\x80\x80\""),                   // > U+10FFFF
                          std::string("{\"k\xfe\":1}"), std::string("\"abc\xe2\x82\"")}) {
    auto r = Parse(bad);
    EXPECT_FALSE(r.ok()) << "accepted invalid UTF-8";
    if (!r.ok()) {
      EXPECT_THAT(std::string(r.status().message()), StartsWith("invalid JSON at byte "));
    }
  }
  // Valid multi-byte text and escapes pass.
  EXPECT_EQ(MustParse("\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"").as_string(),
            "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(MustParse(R"("\u00e9\ud83d\ude00")").as_string(), "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JsonParse, DepthLimitIsEnforced) {
  std::string ok(256, '[');
  ok += std::string(256, ']');
  EXPECT_TRUE(Parse(ok).ok());

  std::string deep(257, '[');
  deep += std::string(257, ']');
  auto r = Parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("invalid JSON at byte 257: nesting deeper than 256"));

  ParseOptions small;
  small.max_depth = 2;
  EXPECT_TRUE(Parse(R"({"a":[1]})", small).ok());
  EXPECT_FALSE(Parse(R"({"a":[{}]})", small).ok());

  // A hostile document far deeper than the limit fails cleanly rather than overflowing.
  std::string huge(1 << 20, '[');
  EXPECT_FALSE(Parse(huge).ok());
}

TEST(JsonParse, EmbeddedNulAndEscapesSurvive) {
  Value v = MustParse(R"("a\u0000b\n\t\"\\\/")");
  EXPECT_EQ(v.as_string(), std::string("a\0b\n\t\"\\/", 8));
  Value back = MustParse(Emit(v));
  EXPECT_EQ(back, v);
}

TEST(JsonValue, EqualityComparesIntegersByValue) {
  EXPECT_EQ(Value(int64_t{5}), Value(uint64_t{5}));
  EXPECT_NE(Value(int64_t{-1}), Value(UINT64_MAX));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_EQ(MustParse(R"({"a":[1,"x",null]})"), MustParse(R"({ "a" : [ 1 , "x" , null ] })"));
}

TEST(JsonValue, CopiesAreDeep) {
  Value a = MustParse(R"({"list":[1,2]})");
  Value b = a;
  b.as_object()[0].second.Push(3);
  EXPECT_EQ(a.Find("list")->as_array().size(), 2u);
  EXPECT_EQ(b.Find("list")->as_array().size(), 3u);
}

TEST(JsonValue, SetReplacesAndAppends) {
  Value v;
  v.Set("a", 1);
  v.Set("b", "x");
  v.Set("a", 2);
  EXPECT_EQ(Emit(v), R"({"a":2,"b":"x"})");
  EXPECT_EQ(v.Find("c"), nullptr);
  EXPECT_EQ(Value(3).Find("a"), nullptr);
  Value arr;
  arr.Push(true);
  arr.Push(Value());
  EXPECT_EQ(Emit(arr), "[true,null]");
}

TEST(JsonValue, TypeNames) {
  EXPECT_EQ(TypeName(Type::kInt), "integer");
  EXPECT_EQ(TypeName(Type::kUint), "integer");
  EXPECT_EQ(TypeName(Type::kDouble), "number");
  EXPECT_EQ(TypeName(Type::kBool), "boolean");
  EXPECT_EQ(TypeName(Type::kObject), "object");
}

TEST(JsonEmit, PrettyLayoutMatchesGoMarshalIndent) {
  Value v = MustParse(R"({"ociVersion":"1.3.0","process":{"args":["sh"],"env":[],"cwd":"/"},)"
                      R"("empty":{},"n":-3})");
  EXPECT_EQ(Emit(v, {.pretty = true}),
            "{\n"
            "  \"ociVersion\": \"1.3.0\",\n"
            "  \"process\": {\n"
            "    \"args\": [\n"
            "      \"sh\"\n"
            "    ],\n"
            "    \"env\": [],\n"
            "    \"cwd\": \"/\"\n"
            "  },\n"
            "  \"empty\": {},\n"
            "  \"n\": -3\n"
            "}");
}

TEST(JsonEmit, ControlCharactersAreEscaped) {
  EXPECT_EQ(Emit(Value(std::string("a\x01\x1f\r", 4))), R"("a\u0001\u001f\r")");
}

TEST(JsonEmit, InvalidUtf8FromCodeBecomesReplacementCharacter) {
  std::string out =
      Emit(Value(std::string("a\xff"
                             "b")));
  EXPECT_EQ(out,
            "\"a\xef\xbf\xbd"
            "b\"");
  EXPECT_TRUE(Parse(out).ok());
}

TEST(JsonEmit, IntegralDoublesStayDoubles) {
  EXPECT_EQ(Emit(Value(1.0)), "1.0");
  EXPECT_EQ(Emit(Value(-0.0)), "-0.0");
  EXPECT_EQ(Emit(Value(1e300)), "1e+300");
  Value back = MustParse(Emit(Value(2.0)));
  EXPECT_EQ(back.type(), Type::kDouble);
  EXPECT_EQ(back, Value(2.0));
}

TEST(JsonEmit, DoublesRoundTrip) {
  for (double d : {0.5, -1.25e-7, 1e300, 3.141592653589793}) {
    Value back = MustParse(Emit(Value(d)));
    EXPECT_EQ(back.as_double(), d);
  }
}

}  // namespace
}  // namespace hull::json
