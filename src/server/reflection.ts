/** gRPC server reflection (v1 and v1alpha, the same on the wire) from the protobuf registry. */
import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import type { DescFile, DescService, Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/** The request fields both versions share. */
type ReflectionRequest = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;

/** A response as a plain init object, valid for either version's schema. */
interface ReflectionAnswer {
  validHost: string;
  messageResponse:
    | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
    | { case: "listServicesResponse"; value: { service: Array<{ name: string }> } }
    | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };
}

const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

/** Answers reflection requests for a set of services and every file they depend on. */
export class Reflector {
  readonly #services: readonly string[];
  readonly #registry: Registry;
  readonly #files: ReadonlyMap<string, DescFile>;

  constructor(services: readonly DescService[]) {
    const files = collectFiles(services.map((s) => s.file));
    this.#services = services.map((s) => s.typeName);
    this.#registry = createRegistry(...files);
    this.#files = new Map(files.map((f) => [f.proto.name, f]));
  }

  /** Answers one request. */
  answer(req: ReflectionRequest): ReflectionAnswer {
    const base = { validHost: req.host };
    const m = req.messageRequest;
    switch (m.case) {
      case "listServices":
        return { ...base, messageResponse: { case: "listServicesResponse", value: { service: this.#services.map((name) => ({ name })) } } };
      case "fileByFilename": {
        const file = this.#files.get(m.value);
        return file ? this.#serialize(base, file) : error(base, NOT_FOUND, `file not found: ${m.value}`);
      }
      case "fileContainingSymbol": {
        const file = this.#fileOfSymbol(m.value);
        return file ? this.#serialize(base, file) : error(base, NOT_FOUND, `symbol not found: ${m.value}`);
      }
      default:
        return error(base, UNIMPLEMENTED, "extensions are not supported");
    }
  }

  #fileOfSymbol(symbol: string): DescFile | undefined {
    const name = symbol.replace(/^\./, "");
    const desc = this.#registry.get(name);
    if (desc && "file" in desc) return desc.file;
    // A method name: package.Service.Method
    const dot = name.lastIndexOf(".");
    const service = dot > 0 ? this.#registry.getService(name.slice(0, dot)) : undefined;
    return service?.file;
  }

  /** The file and all its transitive dependencies, serialized. */
  #serialize(base: { validHost: string }, file: DescFile): ReflectionAnswer {
    const files = collectFiles([file]).map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
    return { ...base, messageResponse: { case: "fileDescriptorResponse", value: { fileDescriptorProto: files } } };
  }
}

function error(base: { validHost: string }, errorCode: number, errorMessage: string): ReflectionAnswer {
  return { ...base, messageResponse: { case: "errorResponse", value: { errorCode, errorMessage } } };
}

/** The files and their transitive dependencies, dependencies first, each once. */
function collectFiles(roots: readonly DescFile[]): DescFile[] {
  const seen = new Set<string>();
  const out: DescFile[] = [];
  const visit = (f: DescFile): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    f.dependencies.forEach(visit);
    out.push(f);
  };
  roots.forEach(visit);
  return out;
}

/** Registers both reflection versions on a Connect router. */
export function registerReflection(router: ConnectRouter, reflector: Reflector): void {
  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield create(v1.ServerReflectionResponseSchema, reflector.answer(req));
    },
  });
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield create(v1alpha.ServerReflectionResponseSchema, reflector.answer(req));
    },
  });
}
