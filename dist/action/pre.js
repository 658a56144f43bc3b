// The action's pre phase: dist/action/index.js runs the phase named by this file.
import './index.js';
