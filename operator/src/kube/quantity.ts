// Kubernetes resource quantities ("250m", "64Mi", "1.5", "1e3"): validation and value in base units. Pure.

const SUFFIX_FACTORS: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^(?<number>\d+(?:\.\d*)?|\.\d+)(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The quantity's value in base units (cores, bytes), or undefined when it is not a valid non-negative quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (match?.groups === undefined) return undefined;
  const number = Number(match.groups.number);
  const suffix = match.groups.suffix ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTORS[suffix];
  if (factor === undefined) return undefined;
  const value = number * factor;
  return Number.isFinite(value) ? value : undefined;
}
