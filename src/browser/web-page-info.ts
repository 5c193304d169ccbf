/**
 * spnas-web.json: what the model page (`spnas export --web`) needs besides the model itself. Written
 * by web-export.ts, read by page/classify-page.ts; plain data, no code.
 */
export interface WebPageInfo {
  /** The TF.js layers model, relative to the page. */
  model: string;
  /** architectureToString of the exported network. */
  architecture: string;
  space: {
    name: string;
    inputSize: number;
    inputChannels: number;
    numClasses: number;
    /** Per-channel mean and std in 0..1 pixel units, as the training data loader normalises. */
    normalization: { mean: number[]; std: number[] };
  };
  /** One name per class (`--labels`), else 'class 0', 'class 1', ... */
  labels: string[];
  /** The model's recorded metrics (held-out top-1 etc.), as in its manifest. */
  metrics: Record<string, number>;
}

export const WEB_PAGE_INFO = 'spnas-web.json';
