/**
 * The one door to onnxruntime-node: every module imports onnxruntime from here (a lint rule holds it),
 * so its telemetry is switched off before the native library loads (see onnxTelemetry.ts). The
 * side-effect import must stay first: imports run in order, and `export *` loads onnxruntime-node.
 */
import './onnxTelemetry';

export * from 'onnxruntime-node';
