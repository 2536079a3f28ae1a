// The bridge's command path, shared by bridge_reducer.cc and bridge_commands.cc.
#pragma once

#include "packtwin/firmware/bridge_reducer.h"

namespace packtwin::firmware {

// An ACK on the bus: counted against the command it answers, if pending.
void BridgeRecordAck(BridgeState* state, const AckFrame& ack);
// Results whose 2.5 s are up.
void BridgePublishDueResults(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out);

}  // namespace packtwin::firmware
