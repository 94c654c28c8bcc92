// placeholder, replaced below
export async function runUiTests() {
  return [];
}
