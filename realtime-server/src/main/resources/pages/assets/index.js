// The index page: takes the token of its URL (see page.js) and marks its link.
import { setUpNav } from "./page.js";

setUpNav();
