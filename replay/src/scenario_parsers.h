// The scenario parser in parts, one per section of the file: the site, the
// timeline of stimuli, and the expectations. Each reads its JSON strictly and
// reports the first mistake through the JsonFields it is given.
#pragma once

#include <cstdint>

#include "json_fields.h"
#include "packtwin/replay/scenario.h"

namespace packtwin::replay {

// The index of the pack named by `key`, or -1 (reported when missing or unknown).
int PackIndex(const Scenario& scenario, JsonFields& f, const char* key, bool required);

// $.site: bridge, gateway and packs into scenario->site and scenario->packs.
void ParseSite(JsonFields site, Scenario* scenario);

// One $.timeline entry; `next_seq` numbers commands that do not give a seq.
void ParseStimulus(JsonFields f, Scenario* scenario, uint8_t* next_seq);

// One $.expect entry.
void ParseExpectation(JsonFields f, Scenario* scenario);

}  // namespace packtwin::replay
