// Stand-in for ComfyUI's scripts/api.js: /view?filename=... is served from the harness's fixtures/ folder.
export const api = {
  apiURL(route) {
    const url = new URL(route, location.href);
    if (url.pathname === "/view") return `./fixtures/${url.searchParams.get("filename")}`;
    return route;
  },
};
