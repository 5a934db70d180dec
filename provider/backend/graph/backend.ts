// placeholder replaced by the Graph backend work (issue 5)
import type { Backend, BackendConfig } from "../backend";
export class GraphBackend {
  static async fromConfig(_config: BackendConfig): Promise<Backend> {
    throw new Error("the graph backend is not built yet");
  }
}
