// Minimal Cortex-M4 start-up: vector table, .data copy, .bss zero, main.
#include <cstdint>

extern "C" {
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main();
void Reset_Handler();
void Default_Handler();
}

extern "C" void Reset_Handler() {
  const uint32_t* src = &_sidata;
  for (uint32_t* dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t* dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  main();
  while (true) {
  }
}

extern "C" void Default_Handler() {
  while (true) {
  }
}

using Vector = void (*)();
__attribute__((section(".isr_vector"), used)) const Vector kVectors[16] = {
    reinterpret_cast<Vector>(&_estack), Reset_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, nullptr, nullptr, nullptr, nullptr,
    Default_Handler, Default_Handler, nullptr, Default_Handler, Default_Handler};
