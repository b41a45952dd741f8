// The index page: keeps ?token= on its links.
import { setUpNav } from "./page.js";

setUpNav();
