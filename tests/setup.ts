import { installMockEngine } from "./support/mockEngine";

// The one place the Pulumi runtime is mocked: each setMocks would replace the last, so it happens once,
// before any test imports the program.
installMockEngine();
