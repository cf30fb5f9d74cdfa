#pragma once

// The key layout of a Stepwise data directory. Every multi-byte number is big-endian, so that
// RocksDB's bytewise order is numeric order; every variable-length string is written as
// varint(length) | bytes ("Str"), so that no encoded string is a prefix of another and a prefix
// scan never sees an execution whose id merely starts the same way (ids are ARN-like and full
// of ':').
//
// An execution's id is in its own keys and in the listing indexes only. Everywhere a step writes
// (frames, history, timers, tasks) it is stood for by its handle: a number given out when it is
// created, stored under the id. An id is 40 to 100 bytes and a step writes a dozen or more
// keys: this takes a third or more off a typical step's batch, for one point lookup a step.
//
// Column family    Key                                                   Value
// ---------------  ----------------------------------------------------  ----------------------
// default          "format_version"                                      ASCII decimal
//                  "handles_reserved"                                    be64: handles below it
//                                                                        may be in use
//                  "function/" | name                                    FunctionRecord: its
//                                                                        registered limits
// definitions      Str(name) | be64(version)                             DefinitionRecord
// executions       Str(id) | 'h'                                         be64(handle)
//                  Str(id) | 's'                                         ExecutionStart
//                  Str(id) | 'r'                                         ExecutionRecord
// frames           H | be64(frame) | 'h'                                 FrameHeader
//                  H | be64(frame) | 'i'                                 the frame's input
//                  H | be64(frame) | 'c'                                 children items + shared
//                  H | be64(frame) | 'r' | be64(child index)             one child's result
// history          H | be64(event id)                                    HistoryRecord
// timers           be64s(due) | <timer owner key>                        TimerRecord
// timer_owners     H | be64(frame) | be64(seq) | kind   (owner key)      be64s(due)
// tasks            H | be64(frame) | be64(seq)                           TaskRecord
// indexes          'a' | time | Str(id)                                  (empty) all executions
//                  'm' | Str(machine) | time | Str(id)                   (empty) by machine
//                  's' | status | time | Str(id)                         (empty) by status
//                  'b' | Str(machine) | status | time | Str(id)          (empty) by both
//                  'p' | Str(parent id) | time | Str(id)                 (empty) by parent
//                  'f' | be64s(stop time) | Str(id)                      (empty) finished ones
//
// H is be64(the execution's handle). be64s is a signed number with its sign bit flipped, so
// that negative numbers sort first; "time" is be64s(~start time), so a forward scan lists the
// newest first. Timers are keyed by due time for the due scan and by owner so that
// CancelTimers(frame, seq) is a prefix scan; a timer ref has one due at a time (arming it again
// moves it). A frame's keys share H | be64(frame), so removing a frame is one DeleteRange, and
// ending an execution drops its frames and tasks with one range each.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stepwise/engine/execution_state.h"

namespace stepwise::storage::keys {

inline constexpr char kFormatVersion[] = "format_version";
inline constexpr char kHandlesReserved[] = "handles_reserved";
inline constexpr char kFunctionsPrefix[] = "function/";

// --- primitives ---
void AppendBe64(std::string& out, std::uint64_t value);
void AppendSigned(std::string& out, std::int64_t value);  // be64 with the sign bit flipped
void AppendStr(std::string& out, std::string_view text);  // varint(length) | bytes
// Readers: consume from the front of `in`; false when it is too short or malformed.
bool ReadBe64(std::string_view& in, std::uint64_t& value);
bool ReadSigned(std::string_view& in, std::int64_t& value);
bool ReadStr(std::string_view& in, std::string& text);

// The smallest key greater than every key starting with `prefix` (empty: there is none).
std::string PrefixEnd(std::string_view prefix);

// --- executions ---
using Handle = std::uint64_t;  // 0 is none

std::string Execution(std::string_view id);  // Str(id): the prefix of an execution's own keys
std::string ExecutionHandle(std::string_view id);
std::string ExecutionStart(std::string_view id);   // who it is and its input: written once
std::string ExecutionRecord(std::string_view id);  // how it is doing: rewritten every step
std::string HandleValue(Handle handle);
std::optional<Handle> ParseHandleValue(std::string_view value);
// The prefix of every frames, history, timer owner and task key of one execution.
std::string Owner(Handle handle);

// --- frames ---
std::string Frame(Handle handle, engine::FrameId frame);  // a frame's prefix
std::string FrameHeader(Handle handle, engine::FrameId frame);
std::string FrameInput(Handle handle, engine::FrameId frame);
std::string FrameChildren(Handle handle, engine::FrameId frame);
std::string FrameResults(Handle handle, engine::FrameId frame);  // the results' prefix
std::string FrameResult(Handle handle, engine::FrameId frame, std::int64_t index);

inline constexpr char kFrameHeader = 'h';
inline constexpr char kFrameInput = 'i';
inline constexpr char kFrameChildren = 'c';
inline constexpr char kFrameResult = 'r';

// One frames-family key taken apart (the execution prefix already stripped).
struct FrameKey {
  engine::FrameId frame = 0;
  char part = 0;
  std::int64_t index = 0;  // kFrameResult only
};
// The key with the owner prefix (be64 handle) already stripped.
std::optional<FrameKey> ParseFrameKey(std::string_view after_owner);

// --- history ---
std::string History(Handle handle, std::int64_t event_id);
std::optional<std::int64_t> ParseHistoryId(std::string_view after_owner);

// --- timers ---
std::string TimerOwner(Handle handle, const engine::TimerRef& timer);
std::string TimerOwnerWait(Handle handle, engine::FrameId frame, std::uint64_t seq);
std::string TimerDue(std::int64_t due, std::string_view owner_key);
std::string DueValue(std::int64_t due);
std::optional<std::int64_t> ParseDueValue(std::string_view value);

// --- tasks ---
std::string Task(Handle handle, const engine::TaskRef& task);

// --- listing indexes ---
inline constexpr char kIndexAll = 'a';
inline constexpr char kIndexMachine = 'm';
inline constexpr char kIndexStatus = 's';
inline constexpr char kIndexBoth = 'b';
inline constexpr char kIndexFinished = 'f';
inline constexpr char kIndexParent = 'p';

// The prefix an index scan for this filter runs over (machine empty / status none: any).
std::string ListingPrefix(std::string_view machine, std::optional<engine::ExecutionStatus> status);
// The prefix of the children of one execution (those it started), newest first.
std::string ParentPrefix(std::string_view parent_id);
// The listing key of one execution under that prefix.
std::string ListingKey(std::string_view prefix, std::int64_t start_time, std::string_view id);
// The first key under `prefix` of executions started at or before `start_time`.
std::string ListingFrom(std::string_view prefix, std::int64_t start_time);
// The execution id at the end of a listing key that starts with `prefix`.
std::optional<std::string> ParseListingId(std::string_view key, std::string_view prefix);
// The same, with the start time the key holds.
std::optional<std::string> ParseListingKey(std::string_view key, std::string_view prefix,
                                           std::int64_t& start_time);
std::string Finished(std::int64_t stop_time, std::string_view id);
std::optional<std::string> ParseFinishedId(std::string_view key, std::int64_t& stop_time);

// --- definitions ---
std::string Definitions(std::string_view name);  // the prefix of a name's versions
std::string Definition(std::string_view name, std::int64_t version);
bool ParseDefinition(std::string_view key, std::string& name, std::int64_t& version);

}  // namespace stepwise::storage::keys
