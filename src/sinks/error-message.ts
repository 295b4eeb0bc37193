export { messageOf } from "../errors.ts";
