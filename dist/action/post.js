// The action's post phase: dist/action/index.js runs the phase named by this file.
import './index.js';
