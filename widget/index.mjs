// ES module entry: the same UMD file the server serves, re-exported by name.
import widget from "./vizochok-widget.js";

export const VIZOCHOKWidget = widget.VIZOCHOKWidget;
export default VIZOCHOKWidget;
