/**
 * Acquiring a WebGPU adapter and device, and describing it.
 *
 * gpusci keeps one default {@link Runtime} (device, command stream, pipeline cache, buffer pool),
 * created on first use. `init(options)` creates it explicitly with options.
 *
 * @example
 * ```ts
 * import { adapterSummary } from "./device.ts";
 * const info = await adapterSummary();
 * console.log(info?.description ?? "no adapter");
 * ```
 * @module
 */
import { NoAdapterError } from "../errors.ts";

/** Options for {@link requestGpu}. */
export interface DeviceOptions {
  /** Adapter power preference; "high-performance" picks a discrete GPU where several exist. */
  powerPreference?: GPUPowerPreference;
}

/** A plain description of the adapter: what the CLI's `info` and every run record print. */
export interface AdapterSummary {
  /** Human-readable adapter name, e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15...)". */
  description: string;
  /** PCI vendor id or name as the driver reports it. */
  vendor: string;
  /** Architecture string (often empty). */
  architecture: string;
  /** True for software fallbacks such as llvmpipe/lavapipe. */
  isFallback: boolean;
  /** The backend requested through `DENO_WEBGPU_BACKEND`, or "auto". */
  backend: string;
  /** Optional features the adapter offers. */
  features: string[];
  /** The adapter's numeric limits. */
  limits: Record<string, number>;
}

const NO_ADAPTER_HELP = "no WebGPU adapter found. On a machine without a GPU install Mesa's " +
  "software Vulkan driver (apt-get install -y mesa-vulkan-drivers) and run with " +
  "DENO_WEBGPU_BACKEND=vulkan XDG_RUNTIME_DIR=/tmp; or DENO_WEBGPU_BACKEND=gl with libegl-mesa0.";

/**
 * wgpu's Vulkan/EGL setup prints "XDG_RUNTIME_DIR is invalid" twice when the variable is unset
 * (headless servers, CI); point it at /tmp before the first adapter request.
 */
function quietVulkanLoader(): void {
  try {
    if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", "/tmp");
  } catch {
    // No env permission: the warning is harmless.
  }
}

/** The backend hint read from the environment (wgpu reads it once at start-up). */
export function backendHint(): string {
  try {
    return Deno.env.get("DENO_WEBGPU_BACKEND") ?? "auto";
  } catch {
    return "auto";
  }
}

/**
 * Requests an adapter and a device with the adapter's maximum buffer limits and the
 * `shader-f16` / `timestamp-query` features when offered.
 *
 * @example
 * ```ts
 * import { requestGpu } from "./device.ts";
 * const { adapter, device } = await requestGpu();
 * console.log(adapter.info.description, device.limits.maxStorageBufferBindingSize);
 * device.destroy();
 * ```
 */
export async function requestGpu(
  options: DeviceOptions = {},
): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  if (typeof navigator === "undefined" || !("gpu" in navigator)) {
    throw new NoAdapterError("navigator.gpu is missing: " + NO_ADAPTER_HELP);
  }
  quietVulkanLoader();
  const adapter = await navigator.gpu.requestAdapter({
    powerPreference: options.powerPreference ?? "high-performance",
  });
  if (!adapter) throw new NoAdapterError(NO_ADAPTER_HELP);
  const wanted: GPUFeatureName[] = ["shader-f16", "timestamp-query"];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  });
  return { adapter, device };
}

const LIMIT_NAMES = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxUniformBufferBindingSize",
  "minUniformBufferOffsetAlignment",
] as const;

/**
 * Describes an adapter as plain data.
 *
 * @example
 * ```ts
 * import { describeAdapter, requestGpu } from "./device.ts";
 * const { adapter, device } = await requestGpu();
 * console.log(describeAdapter(adapter).features);
 * device.destroy();
 * ```
 */
export function describeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) limits[name] = Number(adapter.limits[name]);
  return {
    description: info.description || info.device || "unknown adapter",
    vendor: info.vendor,
    architecture: info.architecture,
    isFallback: Boolean(
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    backend: backendHint(),
    features: [...adapter.features].sort(),
    limits,
  };
}

/**
 * Summary of the default adapter, or null when this machine has none.
 *
 * @example
 * ```ts
 * import { adapterSummary } from "./device.ts";
 * const s = await adapterSummary();
 * if (s) console.log(`${s.description} (backend ${s.backend})`);
 * ```
 */
export async function adapterSummary(): Promise<AdapterSummary | null> {
  if (typeof navigator === "undefined" || !("gpu" in navigator)) return null;
  quietVulkanLoader();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  return adapter ? describeAdapter(adapter) : null;
}
