//! JPEG XL decoding in pure Rust: orientation applied, colour converted to sRGB, premultiplied
//! alpha undone, every frame of an animation. Bad input is a ValueError, never a panic or a
//! huge allocation. The `jxl` crate decodes what is sRGB already (`jxl_rs`, the fast path);
//! jxl-oxide, which has colour management, decodes the rest.

mod jxl_rs;

use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use jxl_oxide::{AllocTracker, EnumColourEncoding, JxlImage, Moxcms, RenderingIntent};

/// Refuse images past this many pixels before allocating for them.
const MAX_PIXELS: u64 = 1 << 28;
/// What the decoder may allocate at most.
const ALLOC_LIMIT: usize = 2 << 30;

/// A decoded picture: 8-bit samples, interleaved, row by row.
#[pyclass(module = "jxl_demo", frozen)]
pub struct Image {
    #[pyo3(get)]
    width: u32,
    #[pyo3(get)]
    height: u32,
    /// "L", "LA", "RGB" or "RGBA".
    #[pyo3(get)]
    mode: &'static str,
    frames: Vec<Vec<u8>>,
    /// Display time of each frame in milliseconds (0 for a still image).
    #[pyo3(get)]
    durations: Vec<f64>,
}

impl Image {
    fn channels(&self) -> usize {
        self.mode.len()
    }
}

#[pymethods]
impl Image {
    /// The pixels of frame `frame` (0: the first) as bytes.
    #[pyo3(signature = (frame = 0))]
    fn tobytes<'py>(&self, py: Python<'py>, frame: usize) -> PyResult<Bound<'py, PyBytes>> {
        let pixels = self.frames.get(frame).ok_or_else(|| {
            PyValueError::new_err(format!("frame {frame} does not exist: the image has {}", self.frames.len()))
        })?;
        Ok(PyBytes::new(py, pixels))
    }

    /// How many frames (1 for a still image).
    #[getter]
    fn n_frames(&self) -> usize {
        self.frames.len()
    }

    #[getter]
    fn is_animated(&self) -> bool {
        self.frames.len() > 1
    }

    /// numpy reads the first frame through this without copying: `numpy.asarray(image)`.
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("shape", (self.height as usize, self.width as usize, self.channels()))?;
        d.set_item("typestr", "|u1")?;
        d.set_item("data", (self.frames[0].as_ptr() as usize, true))?;
        d.set_item("version", 3)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("<jxl_demo.Image {}x{} {}, {} frame(s)>", self.width, self.height, self.mode, self.frames.len())
    }

    /// The first frame as PNG: Jupyter draws the picture from this, as deck does on a slide.
    fn _repr_png_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(match self.mode {
            "L" => png::ColorType::Grayscale,
            "LA" => png::ColorType::GrayscaleAlpha,
            "RGB" => png::ColorType::Rgb,
            _ => png::ColorType::Rgba,
        });
        encoder.set_depth(png::BitDepth::Eight);
        let failed = |e: png::EncodingError| PyValueError::new_err(format!("cannot encode the picture as PNG: {e}"));
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&self.frames[0]).map_err(failed)?;
        writer.finish().map_err(failed)?;
        Ok(PyBytes::new(py, &out))
    }
}

/// Decode JPEG XL bytes: every frame, as sRGB, straight alpha.
pub fn decode_bytes(data: &[u8]) -> Result<Image, String> {
    match jxl_rs::decode(data)? {
        Some(image) => Ok(image),
        None => decode_with_colour_management(data),
    }
}

/// jxl-oxide, converting whatever colour space the file has into sRGB with moxcms.
fn decode_with_colour_management(data: &[u8]) -> Result<Image, String> {
    let mut image = JxlImage::builder()
        .alloc_tracker(AllocTracker::with_limit(ALLOC_LIMIT))
        .read(data)
        .map_err(|e| format!("not a valid JPEG XL file: {e}"))?;
    let (w, h) = (u64::from(image.width()), u64::from(image.height()));
    if w * h > MAX_PIXELS {
        return Err(format!("the image claims {w}x{h} pixels, more than the {MAX_PIXELS} this decoder accepts"));
    }
    if !image.is_loading_done() || image.num_loaded_keyframes() == 0 {
        return Err("the JPEG XL file is truncated: its image data is incomplete".into());
    }
    image.set_cms(Moxcms);
    image.request_color_encoding(EnumColourEncoding::srgb(RenderingIntent::Relative));
    let premultiplied = image.image_header().metadata.ec_info.iter().any(|ec| ec.alpha_associated() == Some(true));
    let ticks_ms = image
        .image_header()
        .metadata
        .animation
        .as_ref()
        .map(|a| 1000.0 * f64::from(a.tps_denominator) / f64::from(a.tps_numerator.max(1)));
    let mut frames = Vec::new();
    let mut durations = Vec::new();
    let (mut width, mut height, mut mode) = (0, 0, "L");
    for k in 0..image.num_loaded_keyframes() {
        let render = image.render_frame(k).map_err(|e| format!("cannot decode frame {k}: {e}"))?;
        let mut stream = render.stream();
        let channels = stream.channels() as usize;
        mode = match channels {
            1 => "L",
            2 => "LA",
            3 => "RGB",
            4 => "RGBA",
            n => return Err(format!("{n} channels (CMYK or spot colours) are not supported")),
        };
        (width, height) = (stream.width(), stream.height());
        let mut buf = vec![0f32; width as usize * height as usize * channels];
        stream.write_to_buffer(&mut buf);
        let has_alpha = channels.is_multiple_of(2);
        frames.push(to_u8(&buf, channels, has_alpha && premultiplied));
        let ticks = image.frame_header(k).map_or(0, |f| f.duration);
        durations.push(ticks_ms.map_or(0.0, |ms| f64::from(ticks) * ms));
    }
    Ok(Image { width, height, mode, frames, durations })
}

/// f32 samples in 0..1 → u8, dividing colour by alpha when it was premultiplied.
fn to_u8(buf: &[f32], channels: usize, unpremultiply: bool) -> Vec<u8> {
    let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut out = Vec::with_capacity(buf.len());
    for px in buf.chunks_exact(channels) {
        let alpha = if unpremultiply { px[channels - 1] } else { 1.0 };
        for (i, v) in px.iter().enumerate() {
            let is_alpha = unpremultiply && i == channels - 1;
            out.push(if is_alpha || alpha <= 0.0 { q(*v) } else { q(*v / alpha) });
        }
    }
    out
}

/// Decode without ever unwinding into Python: a decoder panic is a ValueError too.
fn decode_checked(py: Python<'_>, data: &[u8]) -> PyResult<Image> {
    py.detach(|| std::panic::catch_unwind(|| decode_bytes(data)))
        .map_err(|_| PyValueError::new_err("the JPEG XL decoder failed on this input"))?
        .map_err(PyValueError::new_err)
}

/// Decode JPEG XL bytes into an `Image` (width, height, mode, tobytes(), frames).
#[pyfunction]
fn decode(py: Python<'_>, data: &[u8]) -> PyResult<Image> {
    decode_checked(py, data)
}

fn require(py: Python<'_>, module: &str, package: &str, function: &str) -> PyResult<()> {
    let found = py.import("importlib.util")?.call_method1("find_spec", (module,))?;
    if found.is_none() {
        return Err(PyImportError::new_err(format!("{function} needs {package}: pip install {package}")));
    }
    Ok(())
}

/// Decode JPEG XL bytes into a numpy array of shape (height, width, channels), dtype uint8.
#[pyfunction]
fn decode_jxl_as_array<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    require(py, "numpy", "numpy", "decode_jxl_as_array")?;
    let image = Bound::new(py, decode_checked(py, data)?)?;
    py.import("numpy")?.call_method1("array", (image,))
}

/// Decode JPEG XL bytes into a PIL image.
#[pyfunction]
fn decode_jxl<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    require(py, "PIL", "Pillow", "decode_jxl")?;
    let image = decode_checked(py, data)?;
    let pixels = PyBytes::new(py, &image.frames[0]);
    py.import("PIL.Image")?.call_method1("frombytes", (image.mode, (image.width, image.height), pixels))
}

pub fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Image>()?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_jxl_as_array, m)?)?;
    m.add_function(wrap_pyfunction!(decode_jxl, m)?)?;
    Ok(())
}

#[pymodule]
fn jxl_demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init(m)
}

pub fn register() {
    pyo3::append_to_inittab!(jxl_demo);
}
